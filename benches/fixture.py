"""The benchmark fixture: a long-lived repository as push duty meets it after years of weekly tags.

Built once by `benches/run` and cached (the cache key is VERSION plus a hash of this file, so any
change here rebuilds it). Everything is generated with `git fast-import` (the history, the fix
branch, the annotated tags) and a written `packed-refs` (the lightweight tags), so the full size
builds in about a minute instead of the hours 20,000 `git commit`s and 100,000 `git tag`s take.

Layout of a fixture directory:
  upstream.git   bare: `main` (COMMITS commits, pull-request merges, FILES files) and TAGS
                 packed tags: weekly calendar tags (Thursdays back from LAST_PUSH, each with
                 revisions -1..-N; those of the push year annotated, as `tag` makes them) and
                 other tags besides (`v1.2.3`, `release-*`)
  security.git   bare mirror: the same tags, `main` 3 commits behind the upstream's, and
                 `fix-big`, an embargoed fix of CHANGE changed lines (3 new files, 4 edited),
                 branched 10 pull requests before the last tag, so merging it is a real merge
  fork.git       bare: the upstream's main only
  work           the clone (`git clone -o upstream`), remotes security and fork fetched, a
                 local branch `feature` (5 commits on main), main checked out, the hook
                 installed (`git push-duty hooks install`); fully packed, no loose objects
  home           the HOME every command runs with
  fork.in, mirror.in   the pre-push lines git would feed the hook for those pushes
  meta.json      what the measures need: ids, names, the push date
The last PICKS commits of main are plain commits after the last tag: the cherry-pick scenario.
"""

import dataclasses
import datetime
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

VERSION = 1
PICKS = 10
# The last push was Thursday 2026-11-26; "today" is the Tuesday before the next push, 2026-12-03.
LAST_PUSH = datetime.date(2026, 11, 26)
TODAY = "2026-12-01"
PUSH_DATE = datetime.date(2026, 12, 3)
# The most revisions a week's tag gets: N in -1..-N runs over 0..MAX_REVISIONS-1 week by week.
MAX_REVISIONS = 40
FEATURE_COMMITS = 5
ZERO = "0" * 40


@dataclasses.dataclass(frozen=True)
class Scale:
    commits: int
    files: int
    tags: int
    change: int  # changed lines (insertions + deletions) of the fix branch


SCALES = {
    "full": Scale(commits=20_000, files=2_000, tags=100_000, change=5_000),
    "quick": Scale(commits=2_000, files=200, tags=5_000, change=1_000),
}


def key(scale_name):
    """The cache key: a change to this file, or to VERSION, builds a new fixture."""
    digest = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
    return f"{scale_name}-v{VERSION}-{digest}"


def env(home):
    """The environment every command of the fixture and the measures runs in: no user config,
    fixed identity, a fixed "today"."""
    e = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GIT_") and not k.startswith("PUSH_DUTY_")
    }
    e.update(
        HOME=str(home),
        GIT_CONFIG_GLOBAL="/dev/null",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="Push Hero",
        GIT_AUTHOR_EMAIL="hero@example.com",
        GIT_COMMITTER_NAME="Push Hero",
        GIT_COMMITTER_EMAIL="hero@example.com",
        PUSH_DUTY_TODAY=TODAY,
        LC_ALL="C",
        NO_COLOR="1",
    )
    return e


def _data(text):
    raw = text.encode()
    return b"data %d\n" % len(raw) + raw + b"\n"


class _Stream:
    """A fast-import stream written straight into the process."""

    def __init__(self, repo, environ, marks):
        self.proc = subprocess.Popen(
            ["git", "fast-import", "--quiet", "--done", f"--export-marks={marks}"],
            cwd=repo,
            env=environ,
            stdin=subprocess.PIPE,
        )
        self.out = self.proc.stdin

    def commit(self, ref, mark, when, author, message, parent=None, merge=None, files=()):
        w = self.out.write
        w(b"commit %s\nmark :%d\n" % (ref.encode(), mark))
        w(b"author %s %d +0000\ncommitter %s %d +0000\n" % (author, when, author, when))
        w(_data(message))
        if parent is not None:
            w(b"from %s\n" % parent.encode())
        if merge is not None:
            w(b"merge %s\n" % merge.encode())
        for path, content in files:
            w(b"M 100644 inline %s\n" % path.encode())
            w(_data(content))

    def tag(self, name, target, when, message):
        w = self.out.write
        w(b"tag %s\nfrom %s\n" % (name.encode(), target.encode()))
        w(b"tagger Push Hero <hero@example.com> %d +0000\n" % when)
        w(_data(message))

    def done(self):
        self.out.write(b"done\n")
        self.out.close()
        if self.proc.wait() != 0:
            raise SystemExit("git fast-import failed")


def _marks(path):
    marks = {}
    for line in Path(path).read_text().splitlines():
        mark, oid = line.split()
        marks[mark] = oid
    return marks


def _git(repo, environ, *args, capture=False):
    result = subprocess.run(
        ["git", *args],
        cwd=repo,
        env=environ,
        check=True,
        stdout=subprocess.PIPE if capture else None,
        text=True,
    )
    return result.stdout.strip() if capture else None


class _Files:
    """The tree as it grows: 4 big files only the fix touches, the rest edited by the history."""

    def __init__(self, scale):
        # Entries (two lines each) the fix replaces per big file: 4 files x 2 lines x (deleted +
        # inserted) x big_lines = 0.4 x change.
        self.big_lines = scale.change // 40
        self.big = [f"src/legacy/views{i}.py" for i in range(4)]
        normal = scale.files - len(self.big)
        self.normal = [f"src/app{i // 50:02d}/module{i % 50:02d}.py" for i in range(normal)]
        self.content = {}
        for path in self.big:
            self.content[path] = [
                f"def legacy_view_{n}(request):  # {path}\n    return render(request.GET)\n"
                for n in range(2 * self.big_lines)
            ]
        for i, path in enumerate(self.normal):
            self.content[path] = [f"SETTING_{i}_{n} = {n}\n" for n in range(24)]

    def text(self, path):
        return "".join(self.content[path])

    def edit(self, k):
        """Commit k's change: one line of one ordinary file."""
        path = self.normal[(k * 7919) % len(self.normal)]
        lines = self.content[path]
        lines[k % len(lines)] = f"SETTING_CHANGED_{k} = {k}  # changed by commit {k}\n"
        return path


def _calendar_tags(count):
    """(name, week) for `count` calendar tags, newest week first: YYYY.MM.DD, then -1..-N."""
    out, week = [], 0
    while len(out) < count:
        day = LAST_PUSH - datetime.timedelta(weeks=week)
        base = day.strftime("%Y.%m.%d")
        revisions = (week * 13 + 7) % MAX_REVISIONS
        for n in range(revisions + 1):
            if len(out) == count:
                break
            out.append((base if n == 0 else f"{base}-{n}", week))
        week += 1
    return out


def _other_tags(count):
    half = count // 2
    names = [f"v{i // 500}.{(i // 25) % 20}.{i % 25}" for i in range(half)]
    names += [f"release-{1 + i // 100}.{i % 100}" for i in range(count - half)]
    return names


def _history(upstream, environ, scale, tmp):
    """main and the tags, into the bare upstream. Returns the first-parent chain (ids, oldest
    first) and the number of tags written."""
    files = _Files(scale)
    end = int(datetime.datetime(2026, 11, 30, tzinfo=datetime.timezone.utc).timestamp())
    start = end - scale.commits * 3600
    dev = b"Dev Eloper <dev@example.com>"
    stream = _Stream(upstream, environ, tmp / "upstream.marks")
    mark = 1
    stream.commit(
        "refs/heads/main",
        mark,
        start,
        dev,
        "Initial commit",
        files=[(p, files.text(p)) for p in files.big + files.normal],
    )
    chain = [mark]
    k = 1  # commits written so far
    groups = (scale.commits - 1 - PICKS) // 3
    for g in range(groups):
        tip = chain[-1]
        changed = []
        for side in range(2):
            changed.append(files.edit(k))
            mark += 1
            stream.commit(
                "refs/heads/main",
                mark,
                start + k * 3600,
                dev,
                f"Fix issue #{k}: adjust {changed[-1]}",
                parent=f":{tip}" if side == 0 else None,
                files=[(changed[-1], files.text(changed[-1]))],
            )
            k += 1
        side_tip = mark
        mark += 1
        stream.commit(
            "refs/heads/main",
            mark,
            start + k * 3600,
            dev,
            f"Merge pull request #{g + 1} from dev{g % 17}/topic-{g + 1}",
            parent=f":{tip}",
            merge=f":{side_tip}",
            files=[(p, files.text(p)) for p in dict.fromkeys(changed)],
        )
        k += 1
        chain.append(mark)
    while k < scale.commits:  # the padding, then the last PICKS: plain commits after the tag
        path = files.edit(k)
        mark += 1
        picks_left = scale.commits - k
        subject = (
            f"Ship fix {PICKS - picks_left + 1} of the week: {path}"
            if picks_left <= PICKS
            else f"Tidy {path}"
        )
        stream.commit(
            "refs/heads/main",
            mark,
            start + k * 3600,
            dev,
            subject,
            parent=f":{chain[-1]}",
            files=[(path, files.text(path))],
        )
        k += 1
        chain.append(mark)

    # Calendar tags: week w tags the w-th first-parent commit back from the last tag.
    last_tag = len(chain) - 1 - PICKS
    other = _other_tags(scale.tags // 10)
    calendar = _calendar_tags(scale.tags - len(other))
    lightweight = []
    for name, week in calendar:
        target = chain[max(last_tag - week, 0)]
        if name.startswith(f"{PUSH_DATE.year}."):
            stream.tag(name, f":{target}", start + target * 3600, f"{name}\n")
        else:
            lightweight.append((name, target))
    for i, name in enumerate(other):
        lightweight.append((name, chain[(i * 37) % (last_tag + 1)]))
    stream.done()

    marks = _marks(tmp / "upstream.marks")
    ids = [marks[f":{m}"] for m in chain]
    # The lightweight tags go straight into packed-refs; pack-refs then adds the annotated ones
    # (written loose by fast-import) with their peeled lines.
    lines = [f"{marks[f':{m}']} refs/tags/{name}\n" for name, m in lightweight]
    lines.sort(key=lambda line: line.split(" ", 1)[1])
    (upstream / "packed-refs").write_text(
        "# pack-refs with: peeled fully-peeled sorted \n" + "".join(lines)
    )
    _git(upstream, environ, "pack-refs", "--all")
    return ids, files, len(calendar), len(other)


def _fix_branch(security, environ, scale, base, files, tmp):
    """`fix-big` on the mirror: 3 new files (0.6 x change lines), then 4 big files with a
    twentieth of the change replaced each (0.4 x change lines)."""
    stream = _Stream(security, environ, tmp / "security.marks")
    when = int(datetime.datetime(2026, 11, 28, tzinfo=datetime.timezone.utc).timestamp())
    sec = b"Security Dev <security@example.com>"
    per_new = scale.change // 5
    new = [
        (
            f"src/security/sanitize{i}.py",
            "".join(f"def sanitize_{i}_{n}(value):\n" if n % 2 == 0 else "    return escape(value)\n"
                    for n in range(per_new)),
        )
        for i in range(3)
    ]
    stream.commit(
        "refs/heads/fix-big", 1, when, sec, "Add the input sanitisers (embargoed)", parent=base, files=new
    )
    edited = []
    for path in files.big:
        lines = list(files.content[path])
        for n in range(files.big_lines):
            lines[2 * n] = f"def legacy_view_{n}(request):  # sanitised\n    return render(sanitize(request.GET))\n"
        edited.append((path, "".join(lines)))
    stream.commit(
        "refs/heads/fix-big", 2, when + 600, sec, "Escape user input in the legacy views (embargoed)", files=edited
    )
    stream.done()


def build(dest, scale_name, binary, log):
    """Builds the fixture into `dest` and returns its meta. The remotes' URLs are absolute
    paths, so it is built where it stays; meta.json, written last, says it is complete."""
    scale = SCALES[scale_name]
    tmp = dest
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    (tmp / "home").mkdir()
    environ = env(tmp / "home")
    upstream, security, fork, work = (tmp / n for n in ("upstream.git", "security.git", "fork.git", "work"))

    log(f"history: {scale.commits} commits, {scale.files} files, {scale.tags} tags")
    _git(tmp, environ, "init", "-q", "--bare", "-b", "main", str(upstream))
    chain, files, n_calendar, n_other = _history(upstream, environ, scale, tmp)
    _git(upstream, environ, "-c", "gc.pruneExpire=now", "gc", "-q")

    log("security mirror, fork and clone")
    _git(tmp, environ, "clone", "-q", "--bare", str(upstream), str(security))
    _git(security, environ, "remote", "remove", "origin")
    _git(security, environ, "update-ref", "refs/heads/main", chain[-4])  # 3 behind
    fix_base = chain[-1 - PICKS - 10]
    _fix_branch(security, environ, scale, fix_base, files, tmp)
    _git(security, environ, "-c", "gc.pruneExpire=now", "gc", "-q")
    _git(tmp, environ, "clone", "-q", "--bare", "--single-branch", "--no-tags", str(upstream), str(fork))
    _git(fork, environ, "remote", "remove", "origin")

    _git(tmp, environ, "clone", "-q", "-o", "upstream", str(upstream), str(work))
    _git(work, environ, "remote", "add", "security", str(security))
    _git(work, environ, "remote", "add", "fork", str(fork))
    _git(work, environ, "fetch", "-q", "security")
    _git(work, environ, "fetch", "-q", "fork")
    _git(work, environ, "checkout", "-q", "-b", "feature")
    for n in range(1, FEATURE_COMMITS + 1):
        (work / "feature").mkdir(exist_ok=True)
        (work / "feature" / f"page{n}.py").write_text(f"def page_{n}(request):\n    return {n}\n")
        _git(work, environ, "add", "feature")
        _git(work, environ, "commit", "-q", "-m", f"Feature: page {n}")
    feature = _git(work, environ, "rev-parse", "HEAD", capture=True)
    _git(work, environ, "checkout", "-q", "main")
    _git(work, environ, "-c", "gc.pruneExpire=now", "gc", "-q")
    loose = _git(work, environ, "count-objects", capture=True)
    if not loose.startswith("0 objects"):
        raise SystemExit(f"the clone should have no loose objects after gc, has: {loose}")

    log("the hook: git push-duty hooks install")
    subprocess.run([str(binary), "hooks", "install"], cwd=work, env=environ, check=True,
                   stdout=subprocess.DEVNULL)

    tags = _git(work, environ, "for-each-ref", "--count=1", "--sort=-v:refname",
                f"--format=%(refname:short)", f"refs/tags/{LAST_PUSH.strftime('%Y.%m.%d')}*", capture=True)
    meta = {
        "key": key(scale_name),
        "scale": scale_name,
        **dataclasses.asdict(scale),
        "calendar_tags": n_calendar,
        "other_tags": n_other,
        "today": TODAY,
        "push_date": PUSH_DATE.isoformat(),
        "next_tag": PUSH_DATE.strftime("%Y.%m.%d"),
        "year": PUSH_DATE.year,
        "last_tag": tags,
        "last_tag_commit": chain[-1 - PICKS],
        "picks": chain[-PICKS:],
        "upstream_main": chain[-1],
        "security_main": chain[-4],
        "fix_branch": "fix-big",
        "fix_base": fix_base,
        "feature": feature,
        "urls": {
            "upstream": str(dest / "upstream.git"),
            "security": str(dest / "security.git"),
            "fork": str(dest / "fork.git"),
        },
    }
    (tmp / "fork.in").write_text(f"refs/heads/feature {feature} refs/heads/feature {ZERO}\n")
    (tmp / "mirror.in").write_text(f"refs/heads/main {chain[-1]} refs/heads/main {chain[-4]}\n")
    (tmp / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    return meta
