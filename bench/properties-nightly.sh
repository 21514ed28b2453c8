#!/usr/bin/env bash
# Issue 18: the exploring property tests (tests/LoraMerge.Core.Tests/Merging/ExploringPropertyTests.cs) with many more
# cases than CI runs (CI: ExploringPropertyTests.DefaultRuns per property). Not part of CI.
#   bash bench/properties-nightly.sh                 # LORAMERGE_PROPERTY_RUNS=5000
#   LORAMERGE_PROPERTY_RUNS=20000 bash bench/properties-nightly.sh
#   LORAMERGE_PROPERTY_SEED=123,456 bash bench/properties-nightly.sh   # replay the seed a failure printed
set -euo pipefail
cd "$(dirname "$0")/.."
export LORAMERGE_PROPERTY_RUNS=${LORAMERGE_PROPERTY_RUNS:-5000}
export TMPDIR=${TMPDIR:-/tmp}/loramerge-properties-$$
export LORAMERGE_CACHE_DIR=$TMPDIR/cache
mkdir -p "$TMPDIR"
trap 'rm -rf "$TMPDIR"' EXIT
started=$SECONDS
dotnet test tests/LoraMerge.Core.Tests -c Release --filter "FullyQualifiedName~ExploringPropertyTests|FullyQualifiedName~MergePropertyTests" \
  --logger "console;verbosity=normal"
echo "properties-nightly: $LORAMERGE_PROPERTY_RUNS runs per property in $(( SECONDS - started )) s"
