#!/usr/bin/env bash
# Assembles the merge kernel's PTX with NVIDIA's own ptxas for every GPU generation the backend runs on and checks the
# SASS of the merge entries: no fused multiply-add may appear, because the CPU/GPU bit identity rests on every product
# and every sum being rounded on its own (docs/gpu.md). Fails if any target fails to assemble or any entry fuses.
#   tests/cuda/check-ptx.sh            the committed PTX, then a self-check: the contracted fixture must be rejected
#   tests/cuda/check-ptx.sh FILE.ptx   that file only
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
file=${1:+$(realpath "$1")}
cd "$here/../.."
committed=src/LoraMerge.Core/Merging/Cuda/Kernel/lora_merge.ptx
contracted=tests/cuda/fixtures/lora_merge_contracted.ptx
targets=(sm_52 sm_61 sm_70 sm_75 sm_80 sm_86 sm_89 sm_90)
entries=(lora_merge_f32 lora_merge_bf16 lora_merge_f16)

tools=$("$here/nvidia-ptx-tools.sh")
export NVDISASM_PATH=$tools
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Checks one PTX file on every target; prints a line per target; returns 1 when any target fails.
check() {
  local ptx=$1 failed=0 target entry counts
  echo "check-ptx: $ptx with $("$tools/ptxas" --version | grep -o 'V[0-9][0-9.]*' || echo 'ptxas') ($(cat "$tools/VERSION" 2>/dev/null))"
  for target in "${targets[@]}"; do
    if ! "$tools/ptxas" -arch="$target" -o "$work/$target.cubin" "$ptx" 2>"$work/ptxas.log"; then
      echo "  $target  FAILED to assemble:"; sed 's/^/    /' "$work/ptxas.log"
      failed=1; continue
    fi
    "$tools/cuobjdump" -sass "$work/$target.cubin" | awk -f "$here/count-sass.awk" > "$work/counts"
    local line="  $target  assembled" bad=""
    for entry in "${entries[@]}"; do
      counts=$(awk -v e="$entry" '$1 == e' "$work/counts")
      if [ -z "$counts" ]; then
        line+="  $entry: MISSING"; bad+=" $entry is not in the SASS;"; continue
      fi
      read -r _ mul add fused first <<< "$counts"
      line+="  $entry: $mul FMUL $add FADD $fused fused"
      [ "$fused" -eq 0 ] || bad+=" $entry fuses: ${first//_/ };"
    done
    echo "$line"
    if [ -n "$bad" ]; then echo "    FAILED:$bad"; failed=1; fi
  done
  return "$failed"
}

if [ -n "$file" ]; then
  check "$file" && echo "check-ptx: ok" || { echo "check-ptx: FAILED"; exit 1; }
  exit 0
fi

status=0
if check "$committed"; then
  echo "check-ptx: ok: $committed assembles for ${#targets[@]} targets, no fused multiply-add in ${entries[*]}"
else
  echo "check-ptx: FAILED: $committed"; status=1
fi
echo "check-ptx: self-check: the contracted fixture (one fma.rn.f32 in lora_merge_f32) must be rejected"
if check "$contracted" | sed 's/^/  | /'; [ "${PIPESTATUS[0]}" -eq 0 ]; then
  echo "check-ptx: FAILED: the self-check accepted $contracted"; status=1
else
  echo "check-ptx: ok: the self-check rejected $contracted"
fi
exit "$status"
