#!/usr/bin/env bash
# Benchmark: naming the next calendar tag, against the git command a release engineer would
# otherwise type. Prints the median of RUNS runs of each and their ratio (ours / git's).
#
#   benches/next-tag.sh [TAGS] [RUNS]     (defaults: 20000 tags, 21 runs)
#
# Uses target/release/git-push-duty (built if missing). Not a test: times vary by machine.
set -euo pipefail
tags=${1:-20000}
runs=${2:-21}
here=$(cd "$(dirname "$0")/.." && pwd)
bin="$here/target/release/git-push-duty"
[ -x "$bin" ] || cargo build --release --quiet --manifest-path "$here/Cargo.toml"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 HOME="$work" PUSH_DUTY_TODAY=2026-12-01
export GIT_AUTHOR_NAME=b GIT_AUTHOR_EMAIL=b@example.com GIT_COMMITTER_NAME=b GIT_COMMITTER_EMAIL=b@example.com
git init -q -b main "$work/repo"
cd "$work/repo"
git commit -q --allow-empty -m init
head=$(git rev-parse HEAD)
# Calendar tags back from 2026, with revisions, as a long-lived repository has them.
python3 - "$tags" "$head" <<'PY' | git update-ref --stdin
import datetime, sys
n, head = int(sys.argv[1]), sys.argv[2]
day = datetime.date(2026, 11, 26)
i = 0
while i < n:
    for rev in range(4):
        name = day.strftime("%Y.%m.%d") + ("" if rev == 0 else f"-{rev}")
        print(f"create refs/tags/{name} {head}")
        i += 1
    day -= datetime.timedelta(days=1)
PY
git pack-refs --all
git clone -q --bare "$work/repo" "$work/upstream.git"
git remote add upstream "$work/upstream.git"
git fetch -q upstream main

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_runs() {
  for _ in $(seq "$runs"); do
    start=$(date +%s%N); "$@" >/dev/null 2>&1; end=$(date +%s%N)
    echo $(( (end - start) / 1000 ))
  done | median
}

pair() {
  local label_a=$1 label_b=$2 a b
  a=$(time_runs sh -c "$label_a")
  b=$(time_runs sh -c "$label_b")
  printf '%-62s %8s us\n' "$label_a" "$a"
  printf '%-62s %8s us\n' "$label_b" "$b"
  awk -v a="$a" -v b="$b" 'BEGIN { printf "  ratio (git-push-duty / git): %.2f\n", a / b }'
}
echo "repository: $(git tag | wc -l) packed tags, median of $runs runs"
pair "$bin next-tag --offline" "git tag --list '20*' --sort=-v:refname | head -n 1"
pair "$bin next-tag" "git ls-remote --tags upstream '20*' | sort -V -k2 | tail -n 1"
