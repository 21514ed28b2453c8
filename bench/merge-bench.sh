#!/usr/bin/env bash
# Merge speed and memory, measured in one run; adds the result as a row of the table in bench/README.md.
#   bash bench/merge-bench.sh            # ~1 GB bf16 Llama-shaped model, r=16 on q/k/v/o/gate/up/down
#   LAYERS=48 HIDDEN=4096 INTER=11008 ROUNDS=1 TORCH=0 bash bench/merge-bench.sh   # ~20 GB model (~45 GB of free disk;
#   the torch script holds the merged model in memory, so it is skipped there)
# Ratios: merge time / time of `cat base.safetensors > copy` (page cache warm), and PyTorch time / merge time.
# Also: peak anonymous (non-file-backed) memory of the merge, and the median time of ModelWeights.Open on the merged
# folder (what a generated Model.Load() does).
# The merge is timed as shipped (durable: fsync before publishing) and without fsync (as cat and the torch script
# write); each timed step starts after a sync. PyTorch / merge compares with the merge without fsync (like for like).
# Columns: model | base size | cores | cat | merge | merge/cat | merge without fsync | (no fsync)/cat | first merge in
# the process | torch | torch/merge without fsync | peak anon | load
set -euo pipefail
cd "$(dirname "$0")/.."
TORCH=${TORCH:-1} ROUNDS=${ROUNDS:-3}
source bench/synthetic-model.sh
base="$work/base/model.safetensors"
size=$(stat -c %s "$base")

cat "$base" > /dev/null   # warm the page cache
# One process: a first merge (it also pays for JIT compilation), then ROUNDS interleaved pairs of `cat base > copy`
# and a merge; medians of the rounds.
line=$($tool merge --base "$work/base" --adapter "$work/adapter" --out "$work/out" --copy "$work/copy.safetensors" --rounds "$ROUNDS")
field() { echo "$line" | sed -E "s/(^|.* )$1=([0-9.]+).*/\\2/"; }
cat_s=$(field cat_seconds) merge_s=$(field merge_seconds) nofsync_s=$(field merge_nofsync_seconds) first_s=$(field first_merge_seconds) peak=$(field peak_anon_mb)
torch_s=""
if [ "$TORCH" = 1 ] && /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  torch_s=$(/usr/bin/python3 bench/torch_merge.py "$work/base" "$work/adapter" "$work/torch.safetensors" | sed -E 's/torch_seconds=//')
  rm -f "$work/torch.safetensors"
fi
load=$($tool load --model "$work/out" | sed -E 's/.*load_ms_median=([0-9.]+).*/\1/')
rm -rf "$work/out"

ratio=$(echo "$merge_s / $cat_s" | bc -l)
nofsync_ratio=$(echo "$nofsync_s / $cat_s" | bc -l)
torch_ratio=$([ -n "$torch_s" ] && echo "$torch_s / $nofsync_s" | bc -l || echo "n/a")
result=$(printf '| %s | %.2f GB | %d | %.3f s | %.3f s | **%.2f×** | %.3f s | **%.2f×** | %.3f s | %s | %s | %.0f MB | %s ms |' \
  "layers=$LAYERS hidden=$HIDDEN inter=$INTER r=$RANK" "$(echo "$size/1000000000" | bc -l)" "$(nproc)" "$cat_s" "$merge_s" "$ratio" \
  "$nofsync_s" "$nofsync_ratio" "$first_s" \
  "${torch_s:-n/a}" "$( [ "$torch_ratio" = n/a ] && echo n/a || printf '%.1f×' "$torch_ratio")" "$peak" "$load")
echo "$result"
# Record the row in bench/README.md, right under the merge table's marker line.
sed -i "/<!-- merge-results -->/a $(printf '%s' "$result" | sed 's/[\/&]/\\&/g')" bench/README.md
