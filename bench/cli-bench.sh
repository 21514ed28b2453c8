#!/usr/bin/env bash
# The build's merge as a child process, end to end: `dotnet LoraMerge.Cli.dll merge ...` from process start to exit,
# paired run by run with `cat base > copy`, for the tool as the package ships it (ReadyToRun) and as plain IL (JIT).
#   bash bench/cli-bench.sh          # ~1 GB bf16 Llama-shaped model (as merge-bench.sh), ROUNDS=7
#   AOT=1 bash bench/cli-bench.sh    # also a Native AOT build of the tool (needs a C toolchain the ILCompiler accepts)
# Each round runs, in this order: cat, IL, R2R[, AOT]; each after `sync`. Prints the cat times, then one table row per
# variant: model size, cores, rounds, median cat, median merge, median of the per-round merge/cat, the merge times.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-7} AOT=${AOT:-0}
source bench/synthetic-model.sh
base="$work/base/model.safetensors"

# IL: the plain publish (what the package shipped before). R2R: what the package ships now (LoraToolReadyToRun, the
# default of src/LoraMerge.Tasks' pack). Both framework-dependent, run with the dotnet host as the task does.
cli=src/LoraMerge.Cli/LoraMerge.Cli.csproj
dotnet publish "$cli" -c Release -o "$art/cli-il" -v quiet -nologo >/dev/null
dotnet publish "$cli" -c Release -o "$art/cli-r2r" -p:LoraToolReadyToRun=true -v quiet -nologo >/dev/null
variants=(il r2r)
commands=("dotnet $art/cli-il/LoraMerge.Cli.dll" "dotnet $art/cli-r2r/LoraMerge.Cli.dll")
if [ "$AOT" = 1 ]; then
  dotnet publish "$cli" -c Release -r linux-x64 -o "$art/cli-aot" -p:PublishAot=true -v quiet -nologo >/dev/null
  variants+=(aot) commands+=("$art/cli-aot/LoraMerge.Cli")
fi

cat "$base" > /dev/null   # warm the page cache
# One untimed merge per variant: the base's hash (and its checkpoints) lands in the per-user cache, as after a first build.
for i in "${!variants[@]}"; do ${commands[$i]} merge --base "$work/base" --adapter "$work/adapter" --out "$work/cli-out" --force >/dev/null; done

now() { date +%s.%N; }
declare -A times
for round in $(seq "$ROUNDS"); do
  sync
  t0=$(now); sh -c "cat '$base' > '$work/copy.safetensors'"; t1=$(now)
  times[cat]+="$(echo "$t1 - $t0" | bc -l) "
  rm -f "$work/copy.safetensors"
  for i in "${!variants[@]}"; do
    sync
    t0=$(now); ${commands[$i]} merge --base "$work/base" --adapter "$work/adapter" --out "$work/cli-out" --force >/dev/null; t1=$(now)
    times[${variants[$i]}]+="$(echo "$t1 - $t0" | bc -l) "
  done
done
rm -rf "$work/cli-out"

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
ratios() { # per-round variant/cat, then their median
  local cats=(${times[cat]}) runs=(${times[$1]}) out=""
  for r in "${!cats[@]}"; do out+="$(echo "${runs[$r]} / ${cats[$r]}" | bc -l) "; done
  echo "$out" | median
}
cat_s=$(echo "${times[cat]}" | median)
size=$(stat -c %s "$base")
echo "cat rounds: ${times[cat]}"
for v in "${variants[@]}"; do
  printf '| %s | %.2f GB | %d | %d | %.3f s | %.3f s | **%.2f×** | %s |\n' "$v" "$(echo "$size/1000000000" | bc -l)" "$(nproc)" \
    "$ROUNDS" "$cat_s" "$(echo "${times[$v]}" | median)" "$(ratios "$v")" "$(echo "${times[$v]}" | tr ' ' '\n' | grep -v '^$' | xargs printf '%.2f ')"
done
