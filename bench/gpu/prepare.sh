#!/usr/bin/env bash
# Builds what bench/gpu/device-check.sh needs into .gpu/ (keep it out of git: echo /.gpu/ >> .git/info/exclude),
# small enough for a machine that receives the working tree and nothing else.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
rm -rf .gpu bench/gpu/publish bench/gpu/runner-publish && mkdir -p .gpu
dotnet publish src/LoraMerge.Cli -c Release -r linux-x64 --self-contained -p:PublishSingleFile=true -p:PublishTrimmed=true -o bench/gpu/publish
dotnet publish bench/gpu/CudaTestRunner -c Release -r linux-x64 --self-contained -o bench/gpu/runner-publish
xz -T0 -c bench/gpu/publish/LoraMerge.Cli > .gpu/lora-merge.xz
tar -C bench/gpu -cJf .gpu/runner.tar.xz runner-publish
printf '%s' "$root" > .gpu/built-root
ls -la .gpu
