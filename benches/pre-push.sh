#!/usr/bin/env bash
# Benchmark: the pre-push guard, against the git commands that would answer the same question,
# and a whole push with the hook against the same push with --no-verify. Prints the median of
# RUNS runs of each and their ratio (ours / git's).
#
#   benches/pre-push.sh [COMMITS] [RUNS]     (defaults: 20000 commits, 21 runs)
#
# Uses target/release/git-push-duty (built if missing). Not a test: times vary by machine.
set -euo pipefail
commits=${1:-20000}
runs=${2:-21}
here=$(cd "$(dirname "$0")/.." && pwd)
bin="$here/target/release/git-push-duty"
[ -x "$bin" ] || cargo build --release --quiet --manifest-path "$here/Cargo.toml"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 HOME="$work"
export GIT_AUTHOR_NAME=b GIT_AUTHOR_EMAIL=b@example.com GIT_COMMITTER_NAME=b GIT_COMMITTER_EMAIL=b@example.com
export PATH="$(dirname "$bin"):$PATH"
git init -q -b main "$work/repo"
cd "$work/repo"
# A long linear history, as a long-lived repository has.
python3 - "$commits" <<'PY' | git fast-import --quiet
import sys
n = int(sys.argv[1])
for i in range(n):
    data = f"line {i}\n"
    print(f"commit refs/heads/main\nmark :{i + 1}\ncommitter b <b@example.com> {1700000000 + i * 60} +0000")
    print(f"data {len(f'c{i}')}\nc{i}")
    if i:
        print(f"from :{i}")
    print(f"M 644 inline file{i % 100}.txt\ndata {len(data)}\n{data}")
PY
git reset -q --hard main
for remote in upstream security fork; do
  git init -q --bare "$work/$remote.git"
  git remote add "$remote" "$work/$remote.git"
done
git push -q upstream main
git push -q security main~1:refs/heads/main
# Three embargoed fixes on the mirror, and a feature branch of ordinary work.
for fix in a b c; do
  git checkout -q -b "fix-$fix" main
  git commit -q --allow-empty -m "Fix $fix (embargoed)"
  git push -q security "fix-$fix"
done
git checkout -q -b feature main
for n in 1 2 3 4 5; do git commit -q --allow-empty -m "Feature $n"; done
git fetch -q --all
git gc -q
"$bin" hooks install 2>/dev/null
older=$(git rev-parse main~100)
mirror=$(git rev-parse main~1)
feature=$(git rev-parse feature)
zero=$(printf '%040d' 0)
printf 'refs/heads/main %s refs/heads/main %s\n' "$older" "$mirror" > "$work/mirror.in"
printf 'refs/heads/feature %s refs/heads/feature %s\n' "$feature" "$zero" > "$work/fork.in"
: > "$work/empty.in"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_runs() {
  for _ in $(seq "$runs"); do
    start=$(date +%s%N); sh -c "$1" >/dev/null 2>&1; end=$(date +%s%N)
    echo $(( (end - start) / 1000 ))
  done | median
}
pair() {
  local what=$1 ours=$2 theirs=$3 a b
  a=$(time_runs "$ours")
  b=$(time_runs "$theirs")
  echo "$what"
  printf '  %-90s %8s us\n' "$ours" "$a" "$theirs" "$b" | sed "s#$work/##g; s#$bin#git-push-duty#g"
  awk -v a="$a" -v b="$b" 'BEGIN { printf "  ratio (git-push-duty / git): %.2f\n", a / b }'
}

echo "repository: $commits commits, 3 fix branches on the mirror; median of $runs runs"
pair "the mirror's main: is the pushed commit on upstream/main?" \
  "$bin hook pre-push security $work/security.git < $work/mirror.in" \
  "git merge-base --is-ancestor $older refs/remotes/upstream/main"
pair "the leak guard: ordinary work to the fork" \
  "$bin hook pre-push fork $work/fork.git < $work/fork.in" \
  "git rev-list $feature --not --remotes=upstream; git rev-list --remotes=security --not --remotes=upstream"
pair "an up-to-date push (empty input)" \
  "$bin hook pre-push fork $work/fork.git < $work/empty.in" \
  "git rev-parse HEAD"
pair "a whole push to the fork, with the hook vs --no-verify" \
  "git push -q --dry-run fork feature" \
  "git push -q --dry-run --no-verify fork feature"
pair "a whole push to the mirror, with the hook vs --no-verify" \
  "git push -q --dry-run security main" \
  "git push -q --dry-run --no-verify security main"
