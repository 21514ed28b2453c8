#!/usr/bin/env bash
# The GPU checks of docs/gpu.md in one command, for a GPU machine without the .NET SDK. Prepare on a machine with it:
#   bench/gpu/prepare.sh      (writes .gpu/: the self-contained Cuda test runner and the single-file CLI, xz-packed)
# then run from the repository root on the GPU machine:  bash bench/gpu/device-check.sh
# Results land in ${OUT:-bench/gpu/out}: tests.txt (the Cuda tests, the [CudaFact]s included), cases.txt, timings.txt.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${OUT:-$root/bench/gpu/out}"
mkdir -p "$out"
status=0

tar -C "$root/bench/gpu" -xJf "$root/.gpu/runner.tar.xz"
xz -dc "$root/.gpu/lora-merge.xz" > "$root/bench/gpu/lora-merge" && chmod +x "$root/bench/gpu/lora-merge"
rm -rf "$root/bench/gpu/fixtures" && mkdir -p "$root/bench/gpu/fixtures" && cp -r "$root/tests/fixtures/merge" "$root/bench/gpu/fixtures/"

# The test assembly finds its fixtures under the repository path it was built in.
built_root="$(cat "$root/.gpu/built-root")"
if [ "$built_root" != "$root" ] && [ ! -e "$built_root" ]; then
  mkdir -p "$(dirname "$built_root")" && ln -s "$root" "$built_root"
fi

echo "== Cuda tests (every [CudaFact] runs, a missing device fails)" | tee "$out/tests.txt"
"$root/bench/gpu/runner-publish/CudaTestRunner" 2>&1 | tee -a "$out/tests.txt" || status=1

OUT="$out" bash "$root/bench/gpu/run.sh" || status=1
exit $status
