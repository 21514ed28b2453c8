#!/usr/bin/env bash
# Issue 17's crash check: one complete merge, then kill -9 the CLI at random points of KILLS more merges (--force) over
# the same --out, then merge once more without interruption. Passes when every interrupted round left --out present and
# complete (every output's sha256 equals lora-merge.json's record: the old model or the new one, never missing or
# half-written, which is what replacing in one step promises), and the final run leaves no temporary folder beside it.
#   bash bench/kill-loop.sh            # KILLS=50
set -euo pipefail
cd "$(dirname "$0")/.."
KILLS=${KILLS:-50}
work=bench/work/kill-loop
art=bench/out
dotnet build bench/LoraMerge.Bench -c Release --artifacts-path "$art" -v quiet -nologo >/dev/null
dotnet build src/LoraMerge.Cli -c Release -v quiet -nologo >/dev/null
cli="dotnet src/LoraMerge.Cli/bin/Release/net10.0/LoraMerge.Cli.dll"
[ -f "$work/base/model.safetensors" ] || dotnet "$art/bin/LoraMerge.Bench/release/LoraMerge.Bench.dll" generate \
  --out "$work" --layers 4 --hidden 2048 --intermediate 5632 --vocab 32000 --rank 16
out="$work/out"
rm -rf "$out" "$work"/.out.*

complete() {  # --out holds every file lora-merge.json lists, with its recorded sha256
  python3 - "$1" <<'PY'
import hashlib, json, os, sys
d = sys.argv[1]
r = json.load(open(os.path.join(d, "lora-merge.json")))
for o in r["outputs"]:
    h = hashlib.sha256(open(os.path.join(d, o["path"]), "rb").read()).hexdigest()
    if h != o["sha256"]: sys.exit(f"{o['path']}: sha256 differs from lora-merge.json")
PY
}

$cli merge --base "$work/base" --adapter "$work/adapter" --out "$out" >/dev/null 2>&1
complete "$out"
half=0
for i in $(seq 1 "$KILLS"); do
  $cli merge --base "$work/base" --adapter "$work/adapter" --out "$out" --force >/dev/null 2>&1 &
  pid=$!
  sleep "0.$(( RANDOM % 10 ))$(( RANDOM % 10 ))"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ ! -e "$out" ] || ! complete "$out" 2>/dev/null; then half=$((half + 1)); echo "round $i: --out is missing or not complete"; fi
done
leftover_before=$(find "$work" -maxdepth 1 -name '.out.*' | wc -l)
$cli merge --base "$work/base" --adapter "$work/adapter" --out "$out" --force >/dev/null
complete "$out"
leftover=$(find "$work" -maxdepth 1 -name '.out.*' | wc -l)
echo "kills=$KILLS missing_or_half_written_outputs=$half temporaries_before_clean_run=$leftover_before temporaries_after=$leftover"
[ "$half" = 0 ] && [ "$leftover" = 0 ]
