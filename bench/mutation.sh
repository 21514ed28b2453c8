#!/usr/bin/env bash
# Mutation testing (issue 18): dotnet-stryker (the version pinned in .config/dotnet-tools.json) mutates the merge code
# and runs the Core tests against every mutant. Not part of CI: a full run takes far longer than the suite (see
# bench/mutation-survivors.md for the last measured durations and the surviving mutants, each killed or explained).
#   bash bench/mutation.sh                 # everything: Core's Formats, Peft, Merging (Merging/Cuda host code included,
#                                          # its kernel excluded) and Runtime's Formats, Numerics (the read side)
#   bash bench/mutation.sh core            # Core's three folders, one Stryker run each
#   bash bench/mutation.sh runtime Numerics   # one folder of one project
#   TEST_FILTER='FullyQualifiedName~LoraMerge.Core.Tests.Peft' bash bench/mutation.sh core Peft/TargetMatcher.cs
#                                          # files, and only the tests that are about them (much faster: every merge
#                                          # test covers the parser and the converters, and each mutant runs them all)
# Environment: CONCURRENCY (default 1: the machine is shared), OUT (reports; default bench/out/mutation), NICE (10),
# TEST_FILTER (a dotnet test filter: only these tests run against the mutants).
# Reports: $OUT/<project>/reports/mutation-report.{json,html}; a summary of survivors is printed at the end.
set -euo pipefail -f   # -f: the mutate globs are for Stryker, not the shell
cd "$(dirname "$0")/.."
root=$PWD
which=${1:-all}
CONCURRENCY=${CONCURRENCY:-1}
OUT=${OUT:-$root/bench/out/mutation}
NICE=${NICE:-10}
# The tests must not write the user's hash cache, nor the source tree: give the whole run its own cache and temp.
export TMPDIR=${TMPDIR:-/tmp}/loramerge-mutation-$$
export LORAMERGE_CACHE_DIR=$TMPDIR/cache
mkdir -p "$TMPDIR" "$OUT"
trap 'rm -rf "$TMPDIR"' EXIT
dotnet tool restore >/dev/null
# Stryker analyses the built projects: build the test project (and so the code under test) first.
dotnet build tests/LoraMerge.Core.Tests -c Release -v quiet -nologo >/dev/null

run() {  # project-name folder...
  local name=$1; shift
  local args=() tag
  for target in "$@"; do
    case "$target" in
      *.cs) args+=(--mutate "**/$target") ;;          # one file (or a file glob): Peft/TargetMatcher.cs
      *) args+=(--mutate "**/$target/**/*.cs") ;;     # a folder: Peft
    esac
  done
  [ -n "${TEST_FILTER:-}" ] && args+=(--test-case-filter "$TEST_FILTER")
  # The CUDA kernel (PTX and its .cu source) is not C#; excluded for clarity.
  [ "$name" = LoraMerge.Core ] && args+=(--mutate '!**/Merging/Cuda/Kernel/**')
  tag=$name-$(IFS=-; echo "$*" | tr -c 'A-Za-z0-9.\n-' '_')
  local started=$SECONDS
  (cd tests/LoraMerge.Core.Tests &&
    nice -n "$NICE" dotnet stryker --project "$name.csproj" \
      --configuration Release --concurrency "$CONCURRENCY" --log-to-file \
      --reporter json --reporter html --reporter progress --output "$OUT/$tag" "${args[@]}")
  echo "mutation: $tag took $(( SECONDS - started )) s"
  summarize "$OUT/$tag/reports/mutation-report.json" | tee "$OUT/$tag/summary.txt"
}

summarize() {  # mutation score over the files in the report, and one line per surviving / no-coverage mutant
  python3 - "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
k = s = n = t = 0
for path, f in sorted(r["files"].items()):
    for m in f["mutants"]:
        st = m["status"]
        if st in ("Killed", "Timeout"): k += 1
        elif st == "Survived": s += 1
        elif st == "NoCoverage": n += 1
        else: continue
        if st in ("Survived", "NoCoverage"):
            loc = m["location"]["start"]
            print(f"  {st:10} {path.split('src/')[-1]}:{loc['line']} {m['mutatorName']}: {m.get('replacement', '')[:80]!r}")
total = k + s + n
print(f"score: {100.0 * k / total:.1f}% ({k} killed or timed out, {s} survived, {n} no coverage, of {total})" if total else "no mutants")
PY
}

shift || true
# With no folder or file named: one Stryker run per default folder (each report arrives when its folder is done).
# With folders or files named: one run for all of them (the build and the first test run are paid once).
case "$which" in
  core|runtime|all) ;;
  *) echo "usage: bench/mutation.sh [all|core|runtime] [FOLDER|FILE.cs ...]" >&2; exit 2 ;;
esac
if [ $# -gt 0 ]; then
  if [ "$which" = runtime ]; then run LoraMerge.Runtime "$@"; else run LoraMerge.Core "$@"; fi
  exit 0
fi
if [ "$which" != runtime ]; then for f in Formats Peft Merging; do run LoraMerge.Core "$f"; done; fi
if [ "$which" != core ]; then for f in Formats Numerics; do run LoraMerge.Runtime "$f"; done; fi
