#!/usr/bin/env bash
# Makes Debian's non-free component (NVIDIA's packages) and contrib (nvidia-support, which libcuda1 depends on) known
# to apt. A component is added to apt's sources only where no source has it yet, and the script says so; it prints
# nothing when both are there already.
set -euo pipefail

has_component() {
  grep -rqsE "^[[:space:]]*Components:.*[[:space:]]$1([[:space:]]|\$)|^deb[[:space:]].*[[:space:]]$1([[:space:]]|\$)" \
    /etc/apt/sources.list /etc/apt/sources.list.d/
}

missing=()
for component in contrib non-free; do
  has_component "$component" || missing+=("$component")
done
[ ${#missing[@]} -eq 0 ] && exit 0

codename=$(. /etc/os-release && echo "${VERSION_CODENAME:?not a Debian release}")
list=/etc/apt/sources.list.d/loramerge-non-free.sources
cat > "$list" <<SOURCES
Types: deb
URIs: http://deb.debian.org/debian
Suites: $codename $codename-updates
Components: ${missing[*]}
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
echo "debian-non-free: no apt source had Debian's ${missing[*]}; added $list ($codename, $codename-updates)"
apt-get update -qq
