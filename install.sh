#!/usr/bin/env bash
# Installs git-push-duty: the binary, the man page and bash/zsh/fish completions. The usage is
# in usage() below (./install.sh --help).
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: ./install.sh [--prefix DIR] [--binary FILE] [--uninstall]

Installs git-push-duty: the binary (so `git push-duty` works), the man page (so
`git push-duty --help` and `man git-push-duty` work) and bash/zsh/fish completions.

  --prefix DIR   install under DIR (default: ~/.local): DIR/bin, DIR/share/man/man1, ...
  --binary FILE  install this already-built binary instead of building one with cargo
  --uninstall    remove what this script installed under DIR, and the directories it
                 created for it once they are empty; nothing else

Without --binary it runs cargo build --release and takes the binary from wherever cargo
put it (CARGO_TARGET_DIR, build.target-dir). Running it again replaces the same files.
USAGE
}

here=$(cd "$(dirname "$0")" && pwd)
prefix="${HOME}/.local"
binary=""
uninstall=false

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="${2:?--prefix needs a directory}"; shift 2 ;;
    --prefix=*) prefix="${1#--prefix=}"; shift ;;
    --binary) binary="${2:?--binary needs a file}"; shift 2 ;;
    --binary=*) binary="${1#--binary=}"; shift ;;
    --uninstall) uninstall=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown argument: $1 (see ./install.sh --help)" >&2; exit 2 ;;
  esac
done

# The shell expands `--prefix ~/x` but not `--prefix=~/x`; do it here, or a directory named `~`
# appears in the current directory.
case "$prefix" in
  "~") prefix="$HOME" ;;
  "~/"*) prefix="$HOME/${prefix#"~/"}" ;;
esac
case "$binary" in
  "~/"*) binary="$HOME/${binary#"~/"}" ;;
esac

# An uninstall creates nothing: a mistyped prefix must not leave a directory behind.
if $uninstall && [ ! -d "$prefix" ]; then
  echo "nothing to remove: git-push-duty is not installed under $prefix"
  exit 0
fi
# The directories an install creates are noted in $state_dir, so --uninstall removes them again
# once they are empty, and never one that was there before.
created=()
make_dir() {
  local dir=$1
  local missing=()
  while [ ! -d "$dir" ]; do
    missing+=("$dir")
    dir=$(dirname "$dir")
  done
  mkdir -p "$1"
  if [ ${#missing[@]} -gt 0 ]; then created+=("${missing[@]}"); fi
}
case "$prefix" in
  /*) ;;
  *) prefix="$PWD/$prefix" ;;
esac
if $uninstall; then
  prefix=$(cd "$prefix" && pwd)
else
  make_dir "$prefix"
  prefix=$(cd "$prefix" && pwd)
  # Noted before the cd made the path canonical: keep the notes in the same spelling as DIR.
  prefix_created=("${created[@]+"${created[@]}"}")
  created=()
  for d in "${prefix_created[@]+"${prefix_created[@]}"}"; do
    created+=("$(cd "$(dirname "$d")" && pwd)/$(basename "$d")")
  done
fi
bin_dir="$prefix/bin"
man_dir="$prefix/share/man/man1"
bash_dir="$prefix/share/bash-completion/completions"
zsh_dir="$prefix/share/zsh/site-functions"
fish_dir="$prefix/share/fish/vendor_completions.d"
state_dir="$prefix/share/git-push-duty"
created_list="$state_dir/created-directories"
files=(
  "$bin_dir/git-push-duty"
  "$man_dir/git-push-duty.1"
  "$bash_dir/git-push-duty"
  "$zsh_dir/_git-push-duty"
  "$fish_dir/git-push-duty.fish"
)

if $uninstall; then
  removed=0
  for f in "${files[@]}"; do
    if [ -e "$f" ]; then rm -f "$f" && echo "removed $f" && removed=$((removed + 1)); fi
  done
  [ "$removed" -gt 0 ] || [ -f "$created_list" ] \
    || echo "nothing to remove: git-push-duty is not installed under $prefix"
  # The directories the installs created, deepest first; rmdir leaves any that is not empty.
  if [ -f "$created_list" ]; then
    dirs=$(awk '{ print length($0) " " $0 }' "$created_list" | sort -rn | cut -d' ' -f2-)
    rm -f "$created_list"
    gone=()
    kept=()
    while IFS= read -r d; do
      [ -n "$d" ] && [ -d "$d" ] || continue
      if rmdir "$d" 2>/dev/null; then gone+=("$d"); else kept+=("$d"); fi
    done <<< "$dirs"
    # Something else's files are in some: note those again, so the next --uninstall (once the
    # files are gone) still knows they are ours to remove.
    if [ ${#kept[@]} -gt 0 ]; then
      mkdir -p "$state_dir"
      while IFS= read -r d; do
        if [ -n "$d" ] && [ -d "$d" ]; then printf '%s\n' "$d"; fi
      done <<< "$dirs" > "$created_list"
    fi
    for d in "${gone[@]+"${gone[@]}"}"; do
      if [ ! -d "$d" ]; then echo "removed $d/"; fi
    done
    # Only the deepest: a directory above one of them is kept because that one is.
    for d in "${kept[@]+"${kept[@]}"}"; do
      below=false
      for k in "${kept[@]}"; do
        case "$k" in "$d"/*) below=true ;; esac
      done
      if ! $below; then echo "kept $d/: it holds files not installed here (noted for the next --uninstall)"; fi
    done
  fi
  exit 0
fi

if [ -z "$binary" ]; then
  if ! command -v cargo >/dev/null 2>&1; then
    echo "install.sh: cargo is needed to build git-push-duty (https://rustup.rs), or pass --binary FILE" >&2
    exit 1
  fi
  echo "building git-push-duty (cargo build --release)..."
  # cargo says where it put the binary (CARGO_TARGET_DIR, build.target-dir, a --target
  # triple): ask it rather than guess target/release.
  messages=$(cargo build --release --locked --manifest-path "$here/Cargo.toml" \
    --message-format=json-render-diagnostics)
  binary=$(printf '%s\n' "$messages" \
    | sed -n 's|.*"executable":"\([^"]*/git-push-duty\)".*|\1|p' | tail -n 1)
  if [ -z "$binary" ]; then
    target_dir=$(cargo metadata --format-version 1 --no-deps --manifest-path "$here/Cargo.toml" \
      | sed -n 's|.*"target_directory":"\([^"]*\)".*|\1|p')
    binary="${target_dir:-$here/target}/release/git-push-duty"
  fi
fi
[ -x "$binary" ] || { echo "install.sh: $binary is not an executable" >&2; exit 1; }

for d in "$bin_dir" "$man_dir" "$bash_dir" "$zsh_dir" "$fish_dir" "$state_dir"; do make_dir "$d"; done
# Added to what earlier installs noted: a second run creates nothing, but must not forget.
{
  if [ -f "$created_list" ]; then cat "$created_list"; fi
  if [ ${#created[@]} -gt 0 ]; then printf '%s\n' "${created[@]}"; fi
} | sort -u > "$created_list.new"
mv "$created_list.new" "$created_list"
install -m 0755 "$binary" "$bin_dir/git-push-duty"
install -m 0644 "$here/man/git-push-duty.1" "$man_dir/git-push-duty.1"
"$bin_dir/git-push-duty" completions bash > "$bash_dir/git-push-duty"
"$bin_dir/git-push-duty" completions zsh > "$zsh_dir/_git-push-duty"
"$bin_dir/git-push-duty" completions fish > "$fish_dir/git-push-duty.fish"
for f in "${files[@]}"; do echo "installed $f"; done

case ":$PATH:" in
  *":$bin_dir:"*)
    if ! man -w git-push-duty >/dev/null 2>&1; then
      echo "note: man does not look in $prefix/share/man; 'git push-duty --help' needs it:"
      echo "  export MANPATH=\"$prefix/share/man:\$(manpath 2>/dev/null)\""
    fi
    ;;
  *)
    echo
    echo "note: $bin_dir is not on your PATH, so git will not find 'git push-duty'. Add it:"
    echo "  echo 'export PATH=\"$bin_dir:\$PATH\"' >> ~/.bashrc   # or ~/.zshrc"
    echo "  (man then finds the page in $prefix/share/man too, for 'git push-duty --help')"
    ;;
esac
echo
echo "Then, in each clone you push from: git push-duty hooks install"
echo "  (refuses pushes that would put the security mirror's main ahead of the upstream or leak an"
echo "  embargoed fix; check with: git push-duty check)"
