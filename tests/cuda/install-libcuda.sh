#!/usr/bin/env bash
# Installs NVIDIA's real driver library, Debian's non-free libcuda1, so the tests run the real cuInit path on a machine
# without a GPU (docs/gpu.md). Leaves a libcuda.so.1 that is already there alone (a GPU machine's driver). Needs root.
set -euo pipefail

if ldconfig -p | grep -q 'libcuda\.so\.1 '; then
  echo "install-libcuda: libcuda.so.1 is already present ($(dpkg-query -W -f '${Version}' libcuda1 2>/dev/null || echo "not Debian's libcuda1")); nothing installed"
  exit 0
fi
"$(dirname "$0")/debian-non-free.sh"
started=$SECONDS
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libcuda1 >/dev/null
echo "install-libcuda: installed Debian's libcuda1 $(dpkg-query -W -f '${Version}' libcuda1) in $(( SECONDS - started )) s"
