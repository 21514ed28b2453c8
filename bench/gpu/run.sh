#!/usr/bin/env bash
# Run on a machine with an NVIDIA GPU (driver installed; no .NET SDK needed). Expects, beside this script:
#   lora-merge        the self-contained single-file CLI:
#                     dotnet publish src/LoraMerge.Cli -c Release -r linux-x64 --self-contained \
#                       -p:PublishSingleFile=true -p:PublishTrimmed=true -o bench/gpu/publish && cp bench/gpu/publish/LoraMerge.Cli bench/gpu/lora-merge
#   fixtures/merge/   a copy of tests/fixtures/merge (the committed cases)
# and python3 with torch for the benchmark model. Writes results to ${OUT:-./out}.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${OUT:-$here/out}"
cli="$here/lora-merge"
work="$(mktemp -d)"
mkdir -p "$out"
trap 'rm -rf "$work"' EXIT

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv | tee "$out/gpu.txt"

echo "== 1. every committed merge case: --backend cpu vs --backend cuda, byte for byte" | tee "$out/cases.txt"
status=0
for case in "$here"/fixtures/merge/*/; do
  [ -f "$case/case.json" ] || continue
  name="$(basename "$case")"
  args=()
  while IFS= read -r line; do args+=("$line"); done < <(python3 - "$case" <<'PY'
import json, sys, os
c = json.load(open(os.path.join(sys.argv[1], "case.json")))
for a in c["adapters"]:
    print("--adapter"); print(os.path.join(sys.argv[1], a["path"]))
    print("--weight"); print(str(a["weight"]))
if not c["safeMerge"]:
    print("--no-safe-merge")
PY
)
  for backend in cpu cuda; do
    "$cli" merge --base "$case/base" "${args[@]}" --out "$work/$name-$backend" --backend "$backend" > "$work/$name-$backend.log" 2>&1 \
      || { echo "FAIL $name: --backend $backend exited $?" | tee -a "$out/cases.txt"; cat "$work/$name-$backend.log" >> "$out/cases.txt"; status=1; }
  done
  same=1
  for f in "$work/$name-cpu"/*.safetensors; do
    cmp -s "$f" "$work/$name-cuda/$(basename "$f")" || same=0
  done
  [ "$same" = 1 ] && echo "same $name" | tee -a "$out/cases.txt" || { echo "DIFF $name" | tee -a "$out/cases.txt"; status=1; }
  grep -h '"backend"' "$work/$name-cuda/lora-merge.json" >> "$out/cases.txt" || true
  rm -rf "$work/$name-cpu" "$work/$name-cuda"
done

echo "== 2. timings on a 1 GB+ bf16 model (r=16, r=256): cpu, cuda, cp" | tee "$out/timings.txt"
python3 "$here/make_models.py" "$work/models"
du -sh "$work/models/base" | tee -a "$out/timings.txt"
sync
seconds() { local ns=$(( $2 - $1 )); printf '%d.%03d' $(( ns / 1000000000 )) $(( ns / 1000000 % 1000 )); }
t0=$(date +%s%N); cp -r "$work/models/base" "$work/cp-copy"; sync; t1=$(date +%s%N)
echo "cp: $(seconds "$t0" "$t1") s" | tee -a "$out/timings.txt"
for r in 16 256; do
  for backend in cpu cuda; do
    t0=$(date +%s%N)
    "$cli" merge --base "$work/models/base" --adapter "$work/models/lora_r$r" --out "$work/merged-$r-$backend" --backend "$backend" > "$work/log" 2>&1 \
      || { echo "FAIL r=$r --backend $backend" | tee -a "$out/timings.txt"; cat "$work/log" >> "$out/timings.txt"; status=1; }
    sync; t1=$(date +%s%N)
    echo "r=$r $backend: $(seconds "$t0" "$t1") s" | tee -a "$out/timings.txt"
    grep -h '"backend"' "$work/merged-$r-$backend/lora-merge.json" >> "$out/timings.txt" || true
  done
  cmp "$work/merged-$r-cpu/model.safetensors" "$work/merged-$r-cuda/model.safetensors" \
    && echo "r=$r outputs identical" | tee -a "$out/timings.txt" || { echo "r=$r outputs DIFFER" | tee -a "$out/timings.txt"; status=1; }
  rm -rf "$work/merged-$r-cpu" "$work/merged-$r-cuda"
done
exit $status
