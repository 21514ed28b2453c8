# Sourced by the bench scripts: builds bench/LoraMerge.Bench and makes the Llama-shaped bf16 base and its LoRA adapter
# (LAYERS, HIDDEN, INTER, VOCAB, RANK; defaults: the ~1 GB model) under bench/work/ once. Sets work, art and tool.
LAYERS=${LAYERS:-8} HIDDEN=${HIDDEN:-2048} INTER=${INTER:-5632} VOCAB=${VOCAB:-32000} RANK=${RANK:-16}
work=bench/work/llama-$LAYERS-$HIDDEN-$INTER-r$RANK
art=bench/out
dotnet build bench/LoraMerge.Bench -c Release --artifacts-path "$art" -v quiet -nologo >/dev/null
tool="dotnet $art/bin/LoraMerge.Bench/release/LoraMerge.Bench.dll"
# A folder from before the model had a tokenizer (vocab.json) is made again: GGUF output needs one.
[ -f "$work/base/vocab.json" ] || { rm -rf "$work"; $tool generate --out "$work" --layers "$LAYERS" --hidden "$HIDDEN" \
  --intermediate "$INTER" --vocab "$VOCAB" --rank "$RANK"; }
