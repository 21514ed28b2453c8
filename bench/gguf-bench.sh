#!/usr/bin/env bash
# GGUF output speed and memory against the safetensors merge of the same inputs, measured in one process with rounds
# interleaved; adds the result as a row of the GGUF table in bench/README.md. Then llama.cpp (LLamaSharp) loads the
# q8_0 GGUF of the run and decodes a prompt.
#   bash bench/gguf-bench.sh        # the ~1 GB bf16 Llama-shaped model of merge-bench.sh, r=16
# Columns: model | cores | safetensors merge | gguf f16 (ratio) | gguf bf16 (ratio) | gguf q8_0 (ratio) | peak anon
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
source bench/synthetic-model.sh
cat "$work/base/model.safetensors" > /dev/null   # warm the page cache
line=$($tool gguf --base "$work/base" --adapter "$work/adapter" --out "$work/gguf-out" --rounds "$ROUNDS")
# The last merge of the run is the q8_0 GGUF: llama.cpp (LLamaSharp) must load and run it.
$tool llama-load --gguf "$work/gguf-out/model.gguf"
rm -rf "$work/gguf-out"
field() { echo "$line" | sed -E "s/(^|.* )$1=([0-9.]+).*/\\2/"; }
result=$(printf '| %s | %d | %.3f s | %.3f s (**%.2f×**) | %.3f s (**%.2f×**) | %.3f s (**%.2f×**) | %.0f MB |' \
  "layers=$LAYERS hidden=$HIDDEN inter=$INTER r=$RANK" "$(nproc)" "$(field safetensors_seconds)" \
  "$(field gguf_f16_seconds)" "$(field gguf_f16_ratio)" "$(field gguf_bf16_seconds)" "$(field gguf_bf16_ratio)" \
  "$(field gguf_q8_0_seconds)" "$(field gguf_q8_0_ratio)" "$(field peak_anon_mb)")
echo "$result"
sed -i "/<!-- gguf-results -->/a $(printf '%s' "$result" | sed 's/[\/&]/\\&/g')" bench/README.md
