#!/usr/bin/env bash
# Prints the folder holding NVIDIA's ptxas and cuobjdump, taken from Debian's non-free nvidia-cuda-toolkit package
# (CUDA 11.8). cuobjdump -sass runs nvdisasm, so that comes along too. The three are plain programs needing only
# libc: they are extracted from the downloaded package once and cached per user; nothing is installed.
# Cache: $LORAMERGE_CACHE_DIR/cuda-tools, else ${XDG_CACHE_HOME:-~/.cache}/loramerge/cuda-tools.
set -euo pipefail

package=nvidia-cuda-toolkit
tools=(ptxas cuobjdump nvdisasm)
if [ -n "${LORAMERGE_CACHE_DIR:-}" ] && [ "$LORAMERGE_CACHE_DIR" != off ]; then
  cache=$LORAMERGE_CACHE_DIR/cuda-tools
else
  cache=${XDG_CACHE_HOME:-$HOME/.cache}/loramerge/cuda-tools
fi
bin=$cache/bin

cached() {
  for tool in "${tools[@]}"; do [ -x "$bin/$tool" ] || return 1; done
  "$bin/ptxas" --version >/dev/null 2>&1
}

if cached; then
  echo "nvidia-ptx-tools: cached in $bin ($(cat "$bin/VERSION" 2>/dev/null || echo "version unknown"))" >&2
  echo "$bin"
  exit 0
fi

command -v apt-get >/dev/null || { echo "nvidia-ptx-tools: apt-get is needed to download $package (Debian non-free)" >&2; exit 1; }
if ! apt-cache show "$package" >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "nvidia-ptx-tools: apt does not know $package; add Debian's non-free component (as root: $(dirname "$0")/debian-non-free.sh)" >&2
    exit 1
  fi
  "$(dirname "$0")/debian-non-free.sh" >&2
fi

started=$SECONDS
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sandbox=()
[ "$(id -u)" -eq 0 ] && sandbox=(-o APT::Sandbox::User=root)   # _apt could not write into this root-owned folder
(cd "$work" && apt-get download -q=2 "${sandbox[@]}" "$package" >&2)
deb=$(echo "$work"/"$package"_*.deb)
version=$(dpkg-deb -f "$deb" Version)
mkdir -p "$work/x" "$cache"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work/x" "${tools[@]/#/./usr/bin/}"
echo "$package $version" > "$work/x/usr/bin/VERSION"
rm -rf "$bin"
mv "$work/x/usr/bin" "$bin"
echo "nvidia-ptx-tools: downloaded $package $version ($(( $(stat -c %s "$deb") >> 20 )) MiB), kept ${tools[*]} ($(du -sm "$bin" | cut -f1) MiB) in $bin, $(( SECONDS - started )) s" >&2
echo "$bin"
