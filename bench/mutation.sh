#!/usr/bin/env bash
# Mutation testing (issue 18): dotnet-stryker (the version pinned in .config/dotnet-tools.json) mutates the merge code
# and runs the Core tests against every mutant. Not part of CI: a full run takes far longer than the suite (see
# bench/mutation-survivors.md for the last measured durations and the surviving mutants, each killed or explained).
#   bash bench/mutation.sh             # both projects: Core (Formats, Peft, Merging incl. Merging/Cuda host code) and
#                                      # Runtime (Formats, Numerics: the read side)
#   bash bench/mutation.sh core        # only src/LoraMerge.Core
#   bash bench/mutation.sh runtime     # only src/LoraMerge.Runtime
#   MUTATE='**/Peft/**/*.cs' bash bench/mutation.sh core     # one folder (globs relative to the project)
# Environment: CONCURRENCY (default 1: the machine is shared), OUT (reports; default bench/out/mutation), NICE (10).
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

run() {  # project-file, mutate globs...
  local project=$1; shift
  local name=${project%.csproj}
  local args=()
  for g in "$@"; do args+=(--mutate "$g"); done
  local started=$SECONDS
  (cd tests/LoraMerge.Core.Tests &&
    nice -n "$NICE" dotnet stryker --project "$project" \
      --configuration Release --concurrency "$CONCURRENCY" \
      --reporter json --reporter html --reporter progress --output "$OUT/$name" "${args[@]}")
  echo "mutation: $name took $(( SECONDS - started )) s"
  summarize "$OUT/$name/reports/mutation-report.json"
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

case "$which" in
  core|all) run LoraMerge.Core.csproj ${MUTATE:-'**/Formats/**/*.cs' '**/Peft/**/*.cs' '**/Merging/**/*.cs'} \
              '!**/Merging/Cuda/Kernel/**' ;;&
  runtime|all) run LoraMerge.Runtime.csproj ${MUTATE:-'**/Formats/**/*.cs' '**/Numerics/**/*.cs'} ;;
  core) ;;
  *) echo "usage: bench/mutation.sh [all|core|runtime]" >&2; exit 2 ;;
esac
