//! The model-based property test: random sequences of what a team does in a push week, on real
//! repositories on disk with the real hook installed, and after every step the promises:
//!
//! 1. the security mirror's main is within the upstream's main (`git merge-base --is-ancestor`);
//! 2. no object that only the mirror's fix branches have (a fix commit, its tree, its blob)
//!    is in the fork's or the upstream's object store, unless the upstream's main has it (the
//!    release merge is how fixes are published);
//! 3. no tag moved or vanished, in any bare remote or the clone;
//! 4. every push the model calls safe (a feature branch without fixes to the fork or the
//!    upstream, a fix branch to the mirror, the release merge in order, the mirror synced to the
//!    upstream's main) passed the hook, and every command it expects to succeed succeeded.
//!
//! Everything else a step does (a random refspec to a random spelling of a remote, with or
//! without a `git -c` that changes what the guard protects, from a branch whose team file says
//! something else, with a second URL of the mirror that is the fork) is judged by the promises
//! alone. Pushes name their destination in many spellings (`Form`), and any remote may reject
//! pushes (a `pre-receive` hook that exits 1, toggled).
//!
//! `PUSH_DUTY_MODEL_CASES` sets the number of cases (default 200), `PUSH_DUTY_MODEL_SEED` the
//! seed. The tests after the property are the holes this test found while issue 7 was open,
//! each the shortest sequence that showed it, now each a regression test that it stays closed.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::{Run, TestRepo};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(text) => text
            .parse()
            .unwrap_or_else(|_| panic!("{name}={text:?} is not a number")),
        Err(_) => default,
    }
}

// ---------------------------------------------------------------------------------------------
// The operations

/// One of the three bare repositories.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Remote {
    Upstream,
    Mirror,
    Fork,
}

impl Remote {
    const ALL: [Remote; 3] = [Remote::Upstream, Remote::Mirror, Remote::Fork];

    fn name(self) -> &'static str {
        match self {
            Remote::Upstream => "upstream",
            Remote::Mirror => "security",
            Remote::Fork => "fork",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Two fix branches on the mirror: enough for "another fix is embargoed still".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Fix {
    A,
    B,
}

impl Fix {
    fn branch(self) -> &'static str {
        match self {
            Fix::A => "fix-a",
            Fix::B => "fix-b",
        }
    }
}

/// How a push names the repository `R` (its directory is `$R/NAME.git`, `$R` the test root).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    /// `$R/NAME.git`
    Absolute,
    /// `$R/NAME` (git finds `NAME.git`)
    NoSuffix,
    /// `$R/NAME.git/`
    TrailingSlash,
    /// `$R//NAME.git`
    DoubleSlash,
    /// `file://$R/NAME.git`
    FileUrl,
    /// `file://$R/NAME` with its first letter percent-encoded
    FilePercent,
    /// `$R/work/../NAME.git` (no symlink: the lexical and the real answer agree)
    DotDot,
    /// `../NAME.git`, relative to the top of the worktree
    Relative,
    /// `$R/alias-NAME.git`, a symlink to `NAME.git`
    Symlink,
    /// `$R/lnk/../sym-NAME.git`: `lnk` leads to `deep/inner`, and `deep/sym-NAME.git` is a
    /// symlink to the repository; lexically it names `$R/sym-NAME.git`, which does not exist
    SymlinkDotDot,
    /// `$R/gf-NAME`, a directory whose `.git` file says `gitdir: ../NAME.git`
    Gitfile,
    /// `~/../NAME.git` with HOME at `$R/home`
    Tilde,
    /// `../../NAME.git` typed in `work/sub`, with `GIT_DIR=$R/work/.git` (git resolves it
    /// against the current directory)
    GitDirSubdir,
    /// `ext::git %s $R/NAME.git`, a command that leads there (with `protocol.ext.allow`): no
    /// URL says where, so the hook refuses it whatever the repository
    Ext,
}

impl Form {
    const ALL: [Form; 14] = [
        Form::Absolute,
        Form::NoSuffix,
        Form::TrailingSlash,
        Form::DoubleSlash,
        Form::FileUrl,
        Form::FilePercent,
        Form::DotDot,
        Form::Relative,
        Form::Symlink,
        Form::SymlinkDotDot,
        Form::Gitfile,
        Form::Tilde,
        Form::GitDirSubdir,
        Form::Ext,
    ];

    fn url(self, root: &Path, name: &str) -> String {
        let r = root.display();
        match self {
            Form::Absolute => format!("{r}/{name}.git"),
            Form::NoSuffix => format!("{r}/{name}"),
            Form::TrailingSlash => format!("{r}/{name}.git/"),
            Form::DoubleSlash => format!("{r}//{name}.git"),
            Form::FileUrl => format!("file://{r}/{name}.git"),
            Form::FilePercent => {
                let (first, rest) = name.split_at(1);
                format!("file://{r}/%{:02X}{rest}.git", first.as_bytes()[0])
            }
            Form::DotDot => format!("{r}/work/../{name}.git"),
            Form::Relative => format!("../{name}.git"),
            Form::Symlink => format!("{r}/alias-{name}.git"),
            Form::SymlinkDotDot => format!("{r}/lnk/../sym-{name}.git"),
            Form::Gitfile => format!("{r}/gf-{name}"),
            Form::Tilde => format!("~/../{name}.git"),
            Form::GitDirSubdir => format!("../../{name}.git"),
            Form::Ext => format!("ext::git %s {r}/{name}.git"),
        }
    }
}

/// How a push reaches the remote: its own remote name, a URL typed on the command line, another
/// remote whose URL is that spelling, or another remote whose push URL is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Via {
    Name,
    Typed(Form),
    RemoteUrl(Form),
    PushUrl(Form),
}

impl Via {
    fn form(self) -> Option<Form> {
        match self {
            Via::Name => None,
            Via::Typed(f) | Via::RemoteUrl(f) | Via::PushUrl(f) => Some(f),
        }
    }
}

/// What a random push sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Src {
    /// Local `main`.
    Main,
    /// `upstream/main` as last fetched.
    UpstreamMain,
    /// Local `feature`: commits of ours, no fix.
    Feature,
    /// `security/fix-x`.
    Fix(Fix),
    /// `security/fix-x^{tree}`.
    FixTree(Fix),
    /// The blob the fix added, `security/fix-x:fix-x-N.txt`.
    FixBlob(Fix),
    /// An annotated tag of the fix commit, made here.
    FixTag(Fix),
    /// An annotated tag of the fix's tree, made here.
    FixTreeTag(Fix),
    /// Nothing: a deletion.
    Delete,
}

/// Where a random push puts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dst {
    Main,
    Feature,
    /// `refs/heads/release`: on the mirror, a symbolic ref to its main.
    Release,
    FixBranch(Fix),
    /// `refs/heads/review-x`
    Review(Fix),
    /// `refs/tags/t-N`
    Tag(u8),
}

impl Dst {
    fn refname(self) -> String {
        match self {
            Dst::Main => "refs/heads/main".into(),
            Dst::Feature => "refs/heads/feature".into(),
            Dst::Release => "refs/heads/release".into(),
            Dst::FixBranch(f) => format!("refs/heads/{}", f.branch()),
            Dst::Review(f) => format!("refs/heads/review-{}", f.branch()),
            Dst::Tag(n) => format!("refs/tags/t-{n}"),
        }
    }
}

/// What a cherry-picked tag picks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pick {
    /// The N-th (modulo) of the colleagues' commits on the upstream's main.
    Upstream(u8),
    /// A fix, straight from the mirror.
    Fix(Fix),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Op {
    /// A colleague commits on the upstream's main and pushes it (no hook in that clone).
    UpstreamCommit,
    /// A security developer commits on a fix branch of the mirror (from the mirror's main, or
    /// on top of the branch) and pushes it there; then the clone fetches the mirror.
    FixCommit(Fix),
    /// A commit on the local `feature` branch.
    FeatureCommit,
    /// `git push-duty security-merge fix-x --yes`.
    SecurityMerge(Fix),
    /// `git push-duty security-merge --continue --yes`.
    Continue,
    /// `git push-duty tag --yes`.
    Tag,
    /// `git push-duty tag --cherry-pick REV --yes`.
    TagPick(Pick),
    /// The release merge by hand, in order: fetch, merge the fix into main, push the
    /// upstream, push the mirror; each named by its own spelling.
    ReleaseMerge {
        fix: Fix,
        upstream: Via,
        mirror: Via,
    },
    /// The same merge done by a colleague in another clone.
    ColleagueMerge(Fix),
    /// `git fetch upstream` then `git push MIRROR upstream/main:refs/heads/main`.
    SyncMirror(Via),
    /// `git push TO SRC:DST`, not forced.
    Push {
        src: Src,
        to: Remote,
        via: Via,
        dst: Dst,
    },
    /// `git -c KEY=VALUE push TO SRC:DST`: a one-off change to what the guard protects.
    PushWithConfig {
        setting: Override,
        src: Src,
        to: Remote,
        via: Via,
        dst: Dst,
    },
    /// `git push TO SRC:DST SRC2:DST2`: the hook judges both lines of one push.
    PushTwo {
        first: (Src, Dst),
        second: (Src, Dst),
        to: Remote,
        via: Via,
    },
    /// The remote starts (or stops) rejecting every push.
    ToggleReject(Remote),
    /// A branch whose committed `.pushduty` says this is checked out (and stays so until
    /// `SwitchToMain` or the release merge by hand).
    TeamFileCheckout(TeamFile),
    /// `git switch main`.
    SwitchToMain,
    /// `remote.upstream.pushurl` is set to a staging copy of the upstream (or unset again).
    ToggleStagingPushurl,
    /// The mirror remote gets a second URL (or push URL) that is the fork (or loses it again).
    ToggleSecondMirrorUrl(SecondUrl),
}

/// A second address of the mirror remote that leads to the fork.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SecondUrl {
    /// `git remote set-url --add security ../fork.git`: a push goes to both.
    Url,
    /// `git remote set-url --add --push security ../fork.git`: a push goes to the fork only.
    PushUrl,
}

/// A `git -c` on one push, changing what the pins say the guard protects (or saying it again).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Override {
    /// `pushduty.security=fork`.
    SecurityIsFork,
    /// `color.ui` (valueless) then `pushduty.security=fork`: the form that hid what follows.
    ValuelessThenSecurity,
    /// `pushduty.securityUrl=$R/fork.git`, not pinned.
    SecurityUrlIsFork,
    /// `pushduty.upstream=fork`.
    UpstreamIsFork,
    /// `pushduty.branch=feature`.
    BranchIsFeature,
    /// `url.$R/fork.git.insteadOf=../security.git`: the mirror remote leads to the fork.
    MirrorInsteadOfFork,
    /// `url.$R/fork.git.insteadOf=../upstream.git`: the upstream remote leads to the fork.
    UpstreamInsteadOfFork,
    /// `pushduty.branch=refs/heads/main`: the pinned branch, as a full ref name.
    SameBranchFullName,
    /// `pushduty.security=security`: the pinned mirror, said again.
    SameSecurity,
}

impl Override {
    const ALL: [Override; 9] = [
        Override::SecurityIsFork,
        Override::ValuelessThenSecurity,
        Override::SecurityUrlIsFork,
        Override::UpstreamIsFork,
        Override::BranchIsFeature,
        Override::MirrorInsteadOfFork,
        Override::UpstreamInsteadOfFork,
        Override::SameBranchFullName,
        Override::SameSecurity,
    ];

    /// The `-c` arguments.
    fn args(self, root: &Path) -> Vec<String> {
        let fork = root.join("fork.git").display().to_string();
        let pairs: Vec<String> = match self {
            Override::SecurityIsFork => vec!["pushduty.security=fork".into()],
            Override::ValuelessThenSecurity => {
                vec!["color.ui".into(), "pushduty.security=fork".into()]
            }
            Override::SecurityUrlIsFork => vec![format!("pushduty.securityUrl={fork}")],
            Override::UpstreamIsFork => vec!["pushduty.upstream=fork".into()],
            Override::BranchIsFeature => vec!["pushduty.branch=feature".into()],
            Override::MirrorInsteadOfFork => vec![format!("url.{fork}.insteadOf=../security.git")],
            Override::UpstreamInsteadOfFork => {
                vec![format!("url.{fork}.insteadOf=../upstream.git")]
            }
            Override::SameBranchFullName => vec!["pushduty.branch=refs/heads/main".into()],
            Override::SameSecurity => vec!["pushduty.security=security".into()],
        };
        pairs.into_iter().flat_map(|p| ["-c".into(), p]).collect()
    }

    /// True if the guard still protects what the pins say: the hook judges the push as without
    /// it. Any other change is refused until `hooks install` pins it.
    fn agrees(self) -> bool {
        matches!(self, Override::SameBranchFullName | Override::SameSecurity)
    }
}

/// What a committed `.pushduty` on a branch says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TeamFile {
    /// `security = sec`, a remote that does not exist.
    NoSuchMirror,
    /// `security = fork`.
    ForkIsTheMirror,
    /// `branch = main/`.
    BranchWithSlash,
    /// `branch = refs/heads/main`, a full ref name for the same branch.
    FullRefName,
    /// `upstream = fork`.
    UpstreamIsFork,
    /// `securityUrl = ../fork.git`.
    SecurityUrlIsFork,
    /// `securty = fork`, a key this version does not know.
    UnknownKey,
}

impl TeamFile {
    fn text(self) -> &'static str {
        match self {
            TeamFile::NoSuchMirror => "[pushduty]\n\tsecurity = sec\n",
            TeamFile::ForkIsTheMirror => "[pushduty]\n\tsecurity = fork\n",
            TeamFile::BranchWithSlash => "[pushduty]\n\tbranch = main/\n",
            TeamFile::FullRefName => "[pushduty]\n\tbranch = refs/heads/main\n",
            TeamFile::UpstreamIsFork => "[pushduty]\n\tupstream = fork\n",
            TeamFile::SecurityUrlIsFork => "[pushduty]\n\tsecurityUrl = ../fork.git\n",
            TeamFile::UnknownKey => "[pushduty]\n\tsecurty = fork\n",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Generators

fn fix() -> impl Strategy<Value = Fix> {
    prop_oneof![Just(Fix::A), Just(Fix::B)]
}

fn remote() -> impl Strategy<Value = Remote> {
    proptest::sample::select(Remote::ALL.to_vec())
}

fn via() -> impl Strategy<Value = Via> {
    let form = proptest::sample::select(Form::ALL.to_vec());
    prop_oneof![
        3 => Just(Via::Name),
        4 => form.clone().prop_map(Via::Typed),
        1 => form.clone().prop_map(Via::RemoteUrl),
        1 => form.prop_map(Via::PushUrl),
    ]
    .prop_map(|via| match via {
        // git resolves a configured URL against the top, not against a subdirectory.
        Via::RemoteUrl(Form::GitDirSubdir) | Via::PushUrl(Form::GitDirSubdir) => Via::Name,
        via => via,
    })
}

fn src() -> impl Strategy<Value = Src> {
    prop_oneof![
        2 => Just(Src::Main),
        1 => Just(Src::UpstreamMain),
        2 => Just(Src::Feature),
        3 => fix().prop_map(Src::Fix),
        1 => fix().prop_map(Src::FixTree),
        1 => fix().prop_map(Src::FixBlob),
        1 => fix().prop_map(Src::FixTag),
        1 => fix().prop_map(Src::FixTreeTag),
        1 => Just(Src::Delete),
    ]
}

fn dst() -> impl Strategy<Value = Dst> {
    prop_oneof![
        5 => Just(Dst::Main),
        2 => Just(Dst::Feature),
        1 => Just(Dst::Release),
        1 => fix().prop_map(Dst::FixBranch),
        1 => fix().prop_map(Dst::Review),
        1 => (0u8..3).prop_map(Dst::Tag),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => Just(Op::UpstreamCommit),
        4 => fix().prop_map(Op::FixCommit),
        1 => Just(Op::FeatureCommit),
        3 => fix().prop_map(Op::SecurityMerge),
        1 => Just(Op::Continue),
        2 => Just(Op::Tag),
        1 => any::<u8>().prop_map(|n| Op::TagPick(Pick::Upstream(n))),
        1 => fix().prop_map(|f| Op::TagPick(Pick::Fix(f))),
        2 => (fix(), via(), via())
            .prop_map(|(fix, upstream, mirror)| Op::ReleaseMerge { fix, upstream, mirror }),
        1 => fix().prop_map(Op::ColleagueMerge),
        2 => via().prop_map(Op::SyncMirror),
        10 => (src(), remote(), via(), dst())
            .prop_map(|(src, to, via, dst)| Op::Push { src, to, via, dst }),
        2 => (proptest::sample::select(Override::ALL.to_vec()), src(), remote(), via(), dst())
            .prop_map(|(setting, src, to, via, dst)| Op::PushWithConfig { setting, src, to, via, dst }),
        2 => ((src(), dst()), (src(), dst()), remote(), via())
            .prop_map(|(first, second, to, via)| Op::PushTwo { first, second, to, via }),
        1 => remote().prop_map(Op::ToggleReject),
        1 => proptest::sample::select(vec![
            TeamFile::NoSuchMirror,
            TeamFile::ForkIsTheMirror,
            TeamFile::BranchWithSlash,
            TeamFile::FullRefName,
            TeamFile::UpstreamIsFork,
            TeamFile::SecurityUrlIsFork,
            TeamFile::UnknownKey,
        ])
        .prop_map(Op::TeamFileCheckout),
        1 => Just(Op::SwitchToMain),
        1 => Just(Op::ToggleStagingPushurl),
        1 => prop_oneof![Just(SecondUrl::Url), Just(SecondUrl::PushUrl)]
            .prop_map(Op::ToggleSecondMirrorUrl),
    ]
}

/// A case: a few steps. Shrinking drops and simplifies steps.
struct Steps(Vec<Op>);

impl fmt::Debug for Steps {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} steps:", self.0.len())?;
        for (i, op) in self.0.iter().enumerate() {
            writeln!(f, "  {}. {op:?}", i + 1)?;
        }
        Ok(())
    }
}

impl Clone for Steps {
    fn clone(&self) -> Self {
        Steps(self.0.clone())
    }
}

fn steps() -> impl Strategy<Value = Steps> {
    proptest::collection::vec(op(), 1..=6).prop_map(Steps)
}

// ---------------------------------------------------------------------------------------------
// The world: repositories on disk

/// The starting point every case copies: the upstream with last week's tag, the mirror (with
/// `refs/heads/release` a symbolic ref to its main) and the hook, a fork, a colleague's clone,
/// a security developer's clone, a `feature` branch, and the spellings' symlinks and gitfiles.
fn template() -> &'static TestRepo {
    static TEMPLATE: OnceLock<TestRepo> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let repo = TestRepo::guarded();
        repo.add_bare_remote("fork");
        repo.git(&["tag", "-a", "-m", "last week", "2026.11.26"]);
        repo.git(&["push", "-q", "upstream", "2026.11.26"]);
        let root = repo.root();
        let mirror = repo.mirror();
        repo.git_in(
            &mirror,
            &["symbolic-ref", "refs/heads/release", "refs/heads/main"],
        );
        // Relative remotes, so that each copy's clones push to the copy's remotes.
        for (clone, of) in [
            ("colleague", "upstream.git"),
            ("security-dev", "security.git"),
        ] {
            repo.git_in(&root, &["clone", "-q", of, clone]);
            repo.git_in(
                &root.join(clone),
                &["remote", "set-url", "origin", &format!("../{of}")],
            );
        }
        repo.git(&["fetch", "-q", "security"]);
        repo.git_in(
            &root,
            &["clone", "-q", "--bare", "upstream.git", "staging.git"],
        );
        repo.git(&["switch", "-q", "-c", "feature"]);
        repo.commit("feature-0.txt", "feature 0\n", "Feature work 0");
        repo.git(&["switch", "-q", "main"]);
        std::fs::create_dir_all(repo.work.join("sub")).expect("mkdir sub");
        std::fs::create_dir_all(root.join("deep/inner")).expect("mkdir deep/inner");
        std::os::unix::fs::symlink("deep/inner", root.join("lnk")).expect("symlink lnk");
        for remote in Remote::ALL {
            let name = remote.name();
            let link = |from: String, to: String| {
                std::os::unix::fs::symlink(to, root.join(from)).expect("symlink");
            };
            link(format!("alias-{name}.git"), format!("{name}.git"));
            link(format!("deep/sym-{name}.git"), format!("../{name}.git"));
            let gitfile = root.join(format!("gf-{name}"));
            std::fs::create_dir_all(&gitfile).expect("mkdir gitfile dir");
            std::fs::write(gitfile.join(".git"), format!("gitdir: ../{name}.git\n"))
                .expect("write gitfile");
        }
        repo
    })
}

/// A case's repositories and what the model knows about them.
struct World {
    repo: TestRepo,
    rejecting: [bool; 3],
    /// `remote.upstream.pushurl` leads to `staging.git`.
    staging: bool,
    /// The mirror remote has a second address, the fork.
    second_mirror: Option<SecondUrl>,
    /// The last `git push` and whether the hook refused it.
    last_push: Option<(String, bool)>,
    /// Every object a security developer made for a fix: commit, tree, blob.
    fix_objects: BTreeSet<String>,
    /// Every tag seen so far, per repository (`work`, `upstream.git`, ...).
    tags: BTreeMap<String, BTreeMap<String, String>>,
    /// What happened, for the failure message.
    log: Vec<String>,
    counter: u32,
}

impl World {
    fn new() -> Self {
        let mut world = World {
            repo: template().duplicate(),
            rejecting: [false; 3],
            staging: false,
            second_mirror: None,
            last_push: None,
            fix_objects: BTreeSet::new(),
            tags: BTreeMap::new(),
            log: Vec::new(),
            counter: 0,
        };
        world.remember_tags();
        world
    }

    fn root(&self) -> PathBuf {
        self.repo.root()
    }

    fn bare(&self, remote: Remote) -> PathBuf {
        self.root().join(format!("{}.git", remote.name()))
    }

    fn next(&mut self) -> u32 {
        self.counter += 1;
        self.counter
    }

    /// Panics with the whole story of the case.
    #[track_caller]
    fn fail(&self, what: String) -> ! {
        panic!("{what}\n--- what the case did:\n{}", self.log.join("\n"));
    }

    /// `git ARGS` in `dir`, logged.
    fn git_in(&mut self, dir: &Path, args: &[&str]) -> Run {
        self.repo.tick();
        let run = self.repo.try_git_in(dir, args);
        self.note(dir, args, &run);
        run
    }

    fn git(&mut self, args: &[&str]) -> Run {
        let work = self.repo.work.clone();
        self.git_in(&work, args)
    }

    fn note(&mut self, dir: &Path, args: &[&str], run: &Run) {
        let place = dir
            .strip_prefix(self.root())
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| dir.display().to_string());
        let mut entry = format!("    [{place}] {} -> {}", args.join(" "), run.status);
        for line in run.stderr.lines().filter(|l| !l.trim().is_empty()).take(12) {
            entry.push_str(&format!("\n        {line}"));
        }
        self.log.push(entry);
    }

    /// The tool, in the clone.
    fn tool(&mut self, args: &[&str]) -> Run {
        self.repo.tick();
        let run = self.repo.run(args);
        let work = self.repo.work.clone();
        let mut all = vec!["push-duty"];
        all.extend_from_slice(args);
        self.note(&work, &all, &run);
        run
    }

    fn rev(&mut self, dir: &Path, rev: &str) -> Option<String> {
        let run = self
            .repo
            .try_git_in(dir, &["rev-parse", "-q", "--verify", rev]);
        (run.status == 0).then(|| run.stdout.trim().to_owned())
    }

    fn set_rejecting(&mut self, remote: Remote, on: bool) {
        let hook = self.bare(remote).join("hooks/pre-receive");
        if on {
            std::fs::create_dir_all(hook.parent().expect("hooks dir")).expect("mkdir hooks");
            std::fs::write(&hook, "#!/bin/sh\necho 'test: push refused' >&2\nexit 1\n")
                .expect("write pre-receive");
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755))
                .expect("chmod pre-receive");
        } else if hook.exists() {
            std::fs::remove_file(&hook).expect("remove pre-receive");
        }
        self.rejecting[remote.index()] = on;
    }

    fn rejects(&self, remote: Remote) -> bool {
        self.rejecting[remote.index()]
    }

    /// `git push` to `to` spelled `via`, with `refspecs`.
    fn push(&mut self, to: Remote, via: Via, refspecs: &[&str]) -> Run {
        self.push_with(to, via, &[], refspecs)
    }

    /// `git -c ... push` to `to` spelled `via`, with `refspecs`; `config` is the `-c` arguments.
    fn push_with(&mut self, to: Remote, via: Via, config: &[String], refspecs: &[&str]) -> Run {
        let root = self.root();
        let name = to.name();
        let mut args: Vec<String> = config.to_vec();
        if via.form() == Some(Form::Ext) {
            args.extend(["-c".into(), "protocol.ext.allow=always".into()]);
        }
        args.extend(["push".into(), "-q".into()]);
        let target = match via {
            Via::Name => name.to_owned(),
            Via::Typed(Form::GitDirSubdir) => {
                let sub = self.repo.work.join("sub");
                args.push(Form::GitDirSubdir.url(&root, name));
                args.extend(refspecs.iter().map(|r| (*r).to_owned()));
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let git_dir = self.repo.work.join(".git");
                self.repo.tick();
                let run = self.repo.run_env(
                    "git",
                    &sub,
                    &args,
                    &[("GIT_DIR", git_dir.to_str().expect("utf-8"))],
                );
                self.note(&sub, &args, &run);
                self.last_push = Some((args.join(" "), refused_by_hook(&run)));
                return run;
            }
            Via::Typed(form) => form.url(&root, name),
            Via::RemoteUrl(form) | Via::PushUrl(form) => {
                let _ = self.git(&["remote", "remove", "via"]);
                let url = form.url(&root, name);
                if let Via::PushUrl(_) = via {
                    let nowhere = root.join("nowhere.git").display().to_string();
                    self.git(&["remote", "add", "via", &nowhere]);
                    self.git(&["config", "remote.via.pushurl", &url]);
                } else {
                    self.git(&["remote", "add", "via", &url]);
                }
                "via".to_owned()
            }
        };
        args.push(target);
        args.extend(refspecs.iter().map(|r| (*r).to_owned()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = self.git(&args);
        self.last_push = Some((args.join(" "), refused_by_hook(&run)));
        run
    }

    /// False if the state makes the hook refuse a push to `to` spelled `via` (with `setting`)
    /// whatever it carries, as main intends: an `ext::` address (no URL says where it leads), a
    /// push by the upstream's name to its staging push URL, by the mirror's name while it has
    /// a second address that is the fork, or with a `-c` that changes what the pins protect.
    fn can_pass(&self, to: Remote, via: Via, setting: Option<Override>) -> bool {
        via.form() != Some(Form::Ext)
            && !(to == Remote::Upstream && via == Via::Name && self.staging)
            && !(to == Remote::Mirror && via == Via::Name && self.second_mirror.is_some())
            && setting.is_none_or(Override::agrees)
    }

    /// The newest file a fix branch added, as the clone last fetched it.
    fn fix_file(&mut self, fix: Fix) -> Option<String> {
        let tracking = format!("security/{}", fix.branch());
        let run = self
            .repo
            .try_git_in(&self.repo.work, &["ls-tree", "--name-only", &tracking]);
        let prefix = format!("{}-", fix.branch());
        run.stdout
            .lines()
            .filter(|l| l.starts_with(&prefix))
            .max_by_key(|l| {
                l.trim_start_matches(&prefix)
                    .trim_end_matches(".txt")
                    .parse::<u32>()
                    .unwrap_or(0)
            })
            .map(str::to_owned)
    }

    /// The commit of the latest calendar tag of the upstream for `2026.12.03`, the push date
    /// of the test's Tuesday.
    fn latest_today(&mut self) -> Option<String> {
        let upstream = self.bare(Remote::Upstream);
        let names: Vec<String> = self.repo.tags_of(&upstream).into_keys().collect();
        let lineage = push_duty::tags::Lineage::from_names(&names);
        let date = chrono::NaiveDate::from_ymd_opt(2026, 12, 3).expect("a date");
        let latest = lineage.latest_for(date)?.to_owned();
        self.rev(&upstream, &format!("refs/tags/{latest}^{{commit}}"))
    }

    /// The latest calendar tag of all, on the upstream.
    fn latest_tag(&mut self) -> Option<String> {
        let upstream = self.bare(Remote::Upstream);
        let names: Vec<String> = self.repo.tags_of(&upstream).into_keys().collect();
        push_duty::tags::Lineage::from_names(&names)
            .latest()
            .map(str::to_owned)
    }

    /// The tool's commands are expected to work only in the plain setup: `main` checked out (no
    /// team file from another branch) and the upstream's push URL its own.
    fn plain(&self) -> bool {
        let head = self
            .repo
            .try_git_in(&self.repo.work, &["symbolic-ref", "-q", "HEAD"]);
        head.stdout.trim() == "refs/heads/main" && !self.staging
    }

    /// `plain`, and the mirror remote has one address: what `security-merge` needs, as it
    /// pushes to the mirror by its name.
    fn mirror_plain(&self) -> bool {
        self.plain() && self.second_mirror.is_none()
    }

    fn record_exists(&self) -> bool {
        self.repo
            .work
            .join(".git/push-duty/security-merge.json")
            .exists()
    }

    /// Promise 4 for a push the model calls safe: the hook let it through, and git pushed it
    /// unless the remote rejects pushes.
    #[track_caller]
    fn safe_push(&self, what: &str, to: Remote, run: &Run) {
        if refused_by_hook(run) {
            self.fail(format!("promise 4: the hook refused a safe push ({what})"));
        }
        if !self.rejects(to) && run.status != 0 {
            self.fail(format!("promise 4: a safe push ({what}) failed"));
        }
    }

    #[track_caller]
    fn expect_success(&self, what: &str, run: &Run) {
        if run.status != 0 {
            self.fail(format!(
                "promise 4: {what} was expected to succeed\n--- stdout\n{}\n--- stderr\n{}",
                run.stdout, run.stderr
            ));
        }
    }
}

fn refused_by_hook(run: &Run) -> bool {
    run.stderr.contains("the git-push-duty pre-push hook")
}

// ---------------------------------------------------------------------------------------------
// The steps

impl World {
    fn step(&mut self, op: &Op) {
        self.log.push(format!("{op:?}"));
        match *op {
            Op::UpstreamCommit => self.upstream_commit(),
            Op::FixCommit(fix) => self.fix_commit(fix),
            Op::FeatureCommit => {
                let n = self.next();
                self.git(&["switch", "-q", "feature"]);
                let file = format!("feature-{n}.txt");
                std::fs::write(self.repo.work.join(&file), format!("feature {n}\n"))
                    .expect("write");
                self.git(&["add", &file]);
                self.git(&["commit", "-q", "-m", &format!("Feature work {n}")]);
                self.git(&["switch", "-q", "-"]);
            }
            Op::SecurityMerge(fix) => self.security_merge(fix),
            Op::Continue => {
                let pending = self.record_exists();
                let run = self.tool(&["security-merge", "--continue", "--yes"]);
                if pending
                    && self.mirror_plain()
                    && !self.rejects(Remote::Mirror)
                    && !self.rejects(Remote::Upstream)
                {
                    self.expect_success("security-merge --continue with a recorded run", &run);
                }
            }
            Op::Tag => self.tag(),
            Op::TagPick(pick) => self.tag_pick(pick),
            Op::ReleaseMerge {
                fix,
                upstream,
                mirror,
            } => self.release_merge(fix, upstream, mirror),
            Op::ColleagueMerge(fix) => self.colleague_merge(fix),
            Op::SyncMirror(via) => {
                let fetched = self.git(&["fetch", "-q", "upstream"]);
                if fetched.status != 0 {
                    self.fail("git fetch upstream failed".into());
                }
                let run = self.push(Remote::Mirror, via, &["upstream/main:refs/heads/main"]);
                if self.can_pass(Remote::Mirror, via, None) {
                    self.safe_push(
                        "the mirror synced to the upstream's main",
                        Remote::Mirror,
                        &run,
                    );
                }
            }
            Op::Push { src, to, via, dst } => self.random_push(&[(src, dst)], to, via, None),
            Op::PushWithConfig {
                setting,
                src,
                to,
                via,
                dst,
            } => self.random_push(&[(src, dst)], to, via, Some(setting)),
            Op::PushTwo {
                first,
                second,
                to,
                via,
            } => {
                // Two refspecs with one destination are git's own error ("cannot lock ref",
                // "receives from more than one src"), not a push the hook judges: push one.
                let specs: &[(Src, Dst)] = if first.1 == second.1 {
                    &[first]
                } else {
                    &[first, second]
                };
                self.random_push(specs, to, via, None)
            }
            Op::ToggleReject(remote) => {
                let on = !self.rejects(remote);
                self.set_rejecting(remote, on);
            }
            Op::TeamFileCheckout(team) => {
                let branch = format!("conf-{}", self.next());
                self.git(&["switch", "-q", "-c", &branch, "main"]);
                std::fs::write(self.repo.work.join(".pushduty"), team.text()).expect("write");
                self.git(&["add", ".pushduty"]);
                self.git(&["commit", "-q", "-m", "Team settings"]);
            }
            Op::SwitchToMain => {
                self.git(&["switch", "-q", "main"]);
            }
            Op::ToggleStagingPushurl => {
                if self.staging {
                    self.git(&["config", "--unset", "remote.upstream.pushurl"]);
                } else {
                    let staging = self.root().join("staging.git").display().to_string();
                    self.git(&["config", "remote.upstream.pushurl", &staging]);
                }
                self.staging = !self.staging;
            }
            Op::ToggleSecondMirrorUrl(kind) => {
                let fork = "../fork.git";
                match (self.second_mirror, kind) {
                    (None, SecondUrl::Url) => {
                        self.git(&["remote", "set-url", "--add", "security", fork]);
                    }
                    (None, SecondUrl::PushUrl) => {
                        self.git(&["remote", "set-url", "--add", "--push", "security", fork]);
                    }
                    (Some(SecondUrl::Url), _) => {
                        self.git(&["remote", "set-url", "--delete", "security", "fork"]);
                    }
                    (Some(SecondUrl::PushUrl), _) => {
                        self.git(&["config", "--unset-all", "remote.security.pushurl"]);
                    }
                }
                self.second_mirror = match self.second_mirror {
                    None => Some(kind),
                    Some(_) => None,
                };
            }
        }
    }

    fn upstream_commit(&mut self) {
        let n = self.next();
        let colleague = self.root().join("colleague");
        self.git_in(&colleague, &["pull", "-q", "--ff-only"]);
        let file = format!("up-{n}.txt");
        std::fs::write(colleague.join(&file), format!("upstream {n}\n")).expect("write");
        self.git_in(&colleague, &["add", &file]);
        self.git_in(
            &colleague,
            &["commit", "-q", "-m", &format!("Upstream work {n}")],
        );
        self.git_in(&colleague, &["push", "-q", "origin", "HEAD:main"]);
    }

    fn fix_commit(&mut self, fix: Fix) {
        let n = self.next();
        let dev = self.root().join("security-dev");
        let branch = fix.branch();
        self.git_in(&dev, &["fetch", "-q", "--prune", "origin"]);
        let remote_branch = format!("origin/{branch}");
        let base = if self.rev(&dev, &remote_branch).is_some() {
            remote_branch
        } else {
            "origin/main".to_owned()
        };
        self.git_in(&dev, &["switch", "-q", "-C", branch, &base]);
        let file = format!("{branch}-{n}.txt");
        std::fs::write(dev.join(&file), format!("embargoed {branch} {n}\n")).expect("write");
        self.git_in(&dev, &["add", &file]);
        let run = self.git_in(&dev, &["commit", "-q", "-m", &format!("Fix {branch} {n}")]);
        if run.status != 0 {
            self.fail("the security developer could not commit".into());
        }
        for rev in ["HEAD", "HEAD^{tree}", &format!("HEAD:{file}")] {
            let id = self.rev(&dev, rev).expect("the fix's objects");
            self.fix_objects.insert(id);
        }
        self.git_in(&dev, &["push", "-q", "origin", branch]);
        self.git(&["fetch", "-q", "security"]);
    }

    fn security_merge(&mut self, fix: Fix) {
        let mirror = self.bare(Remote::Mirror);
        let exists = self.rev(&mirror, &format!("refs/heads/{}", fix.branch()));
        let pending = self.record_exists();
        let run = self.tool(&["security-merge", fix.branch(), "--yes"]);
        let clear = !self.rejects(Remote::Upstream) && !self.rejects(Remote::Mirror);
        let Some(tip) = exists else { return };
        if pending || !clear || !self.mirror_plain() {
            return;
        }
        self.expect_success(&format!("security-merge {}", fix.branch()), &run);
        let upstream = self.bare(Remote::Upstream);
        let up = self.rev(&upstream, "refs/heads/main");
        let ancestor = self.repo.try_git_in(
            &upstream,
            &["merge-base", "--is-ancestor", &tip, "refs/heads/main"],
        );
        if ancestor.status != 0 {
            self.fail(format!(
                "security-merge {} succeeded but the upstream's main lacks {tip}",
                fix.branch()
            ));
        }
        if self.rev(&mirror, "refs/heads/main") != up {
            self.fail(
                "security-merge succeeded but the mirror's main is not the upstream's".into(),
            );
        }
    }

    fn tag(&mut self) {
        let upstream = self.bare(Remote::Upstream);
        let tip = self.rev(&upstream, "refs/heads/main");
        let latest = self.latest_today();
        let plain = self.plain();
        let run = self.tool(&["tag", "--yes"]);
        if latest != tip && !self.rejects(Remote::Upstream) && plain {
            self.expect_success("tag (the upstream's main is not tagged yet)", &run);
            let name = run
                .stdout
                .lines()
                .find_map(|l| l.strip_prefix("tag: "))
                .unwrap_or_else(|| self.fail("tag printed no tag name".into()))
                .to_owned();
            let peeled = self.rev(&upstream, &format!("refs/tags/{name}^{{commit}}"));
            if peeled != tip {
                self.fail(format!("tag {name} is not at the upstream's main"));
            }
        }
    }

    fn tag_pick(&mut self, pick: Pick) {
        let upstream = self.bare(Remote::Upstream);
        let rev = match pick {
            Pick::Fix(fix) => format!("security/{}", fix.branch()),
            Pick::Upstream(n) => {
                let run = self.repo.try_git_in(
                    &upstream,
                    &[
                        "log",
                        "--format=%H %s",
                        "--grep=^Upstream work",
                        "refs/heads/main",
                    ],
                );
                let commits: Vec<String> = run
                    .stdout
                    .lines()
                    .filter_map(|l| l.split_once(' '))
                    .map(|(id, _)| id.to_owned())
                    .collect();
                if commits.is_empty() {
                    return;
                }
                commits[usize::from(n) % commits.len()].clone()
            }
        };
        // Clean, and so expected to succeed: a colleague's commit whose file the base tag
        // (the latest calendar tag) does not have yet.
        let expected = match pick {
            Pick::Fix(_) => false,
            Pick::Upstream(_) => {
                let base = self.latest_tag().expect("last week's tag at least");
                let files = self
                    .repo
                    .try_git_in(
                        &upstream,
                        &["diff-tree", "--no-commit-id", "--name-only", "-r", &rev],
                    )
                    .stdout;
                let file = files.lines().next().unwrap_or_default().to_owned();
                let present = self.repo.try_git_in(
                    &upstream,
                    &["cat-file", "-e", &format!("refs/tags/{base}:{file}")],
                );
                present.status != 0 && !self.rejects(Remote::Upstream) && self.plain()
            }
        };
        let run = self.tool(&["tag", "--cherry-pick", &rev, "--yes"]);
        if expected {
            self.expect_success("tag --cherry-pick of a colleague's commit", &run);
        }
    }

    fn release_merge(&mut self, fix: Fix, up: Via, mirror: Via) {
        for args in [
            &["switch", "-q", "main"][..],
            &["fetch", "-q", "upstream"],
            &["merge", "-q", "--ff-only", "upstream/main"],
            &["fetch", "-q", "security"],
        ] {
            if self.git(args).status != 0 {
                return;
            }
        }
        let tracking = format!("security/{}", fix.branch());
        if self.rev(&self.repo.work.clone(), &tracking).is_none() {
            return;
        }
        if self.git(&["merge", "-q", "--no-edit", &tracking]).status != 0 {
            self.fail("merging a fix into main by hand failed".into());
        }
        let run = self.push(Remote::Upstream, up, &["main:refs/heads/main"]);
        if self.can_pass(Remote::Upstream, up, None) {
            self.safe_push(
                "the release merge to the upstream's main",
                Remote::Upstream,
                &run,
            );
        }
        if run.status != 0 {
            return;
        }
        let run = self.push(Remote::Mirror, mirror, &["main:refs/heads/main"]);
        if self.can_pass(Remote::Mirror, mirror, None) {
            self.safe_push(
                "the release merge to the mirror, after the upstream",
                Remote::Mirror,
                &run,
            );
        }
    }

    fn colleague_merge(&mut self, fix: Fix) {
        let colleague = self.root().join("colleague");
        let branch = format!("refs/heads/{}", fix.branch());
        if self.git_in(&colleague, &["pull", "-q", "--ff-only"]).status != 0
            || self
                .git_in(&colleague, &["fetch", "-q", "../security.git", &branch])
                .status
                != 0
        {
            return;
        }
        self.git_in(&colleague, &["merge", "-q", "--no-edit", "FETCH_HEAD"]);
        if self
            .git_in(&colleague, &["push", "-q", "origin", "HEAD:main"])
            .status
            != 0
        {
            self.git_in(&colleague, &["reset", "-q", "--hard", "origin/main"]);
            return;
        }
        self.git_in(&colleague, &["push", "-q", "../security.git", "HEAD:main"]);
    }

    /// One push of every `(src, dst)`; safe only if each is, and the push can pass at all.
    fn random_push(
        &mut self,
        pairs: &[(Src, Dst)],
        to: Remote,
        via: Via,
        setting: Option<Override>,
    ) {
        let mut refspecs = Vec::new();
        let mut safe = self.can_pass(to, via, setting);
        for &(src, dst) in pairs {
            let Some(source) = self.source(src) else {
                return;
            };
            refspecs.push(format!("{source}:{}", dst.refname()));
            safe &= self.safe_refspec(src, to, dst);
        }
        let specs: Vec<&str> = refspecs.iter().map(String::as_str).collect();
        let config = setting.map(|s| s.args(&self.root())).unwrap_or_default();
        let run = self.push_with(to, via, &config, &specs);
        if safe {
            self.safe_push(&format!("{} to {to:?}", refspecs.join(" ")), to, &run);
        }
    }

    /// True when a commit of the feature branch is in the mirror and not in the upstream: the
    /// feature was pushed to the mirror (a step may do that), and for the guard whatever the
    /// mirror holds beyond the upstream is embargoed, so pushing it elsewhere is refused, as it
    /// must be (seed 103 of the long mode found the model calling that push safe).
    fn feature_is_on_the_mirror_only(&mut self) -> bool {
        let work = self.repo.work.clone();
        let commits = self
            .repo
            .try_git_in(&work, &["rev-list", "refs/heads/feature"]);
        let (mirror, upstream) = (self.bare(Remote::Mirror), self.bare(Remote::Upstream));
        commits.stdout.lines().any(|id| {
            let has = |bare: &Path| {
                self.repo
                    .try_git_in(bare, &["cat-file", "-e", &format!("{id}^{{commit}}")])
                    .status
                    == 0
            };
            has(&mirror) && !has(&upstream)
        })
    }

    /// The source side of a refspec for `src`, making the tag it names if needed; `None` if
    /// there is nothing to push yet.
    fn source(&mut self, src: Src) -> Option<String> {
        Some(match src {
            Src::Main => "refs/heads/main".to_owned(),
            Src::UpstreamMain => "refs/remotes/upstream/main".to_owned(),
            Src::Feature => "refs/heads/feature".to_owned(),
            Src::Fix(f) => format!("refs/remotes/security/{}", f.branch()),
            Src::FixTree(f) => format!("refs/remotes/security/{}^{{tree}}", f.branch()),
            Src::FixBlob(f) => match self.fix_file(f) {
                Some(file) => format!("refs/remotes/security/{}:{file}", f.branch()),
                None => return None,
            },
            Src::FixTag(f) | Src::FixTreeTag(f) => {
                let tree = matches!(src, Src::FixTreeTag(_));
                let name = format!("ftag-{}{}", f.branch(), if tree { "-tree" } else { "" });
                let target = format!(
                    "refs/remotes/security/{}{}",
                    f.branch(),
                    if tree { "^{tree}" } else { "" }
                );
                let work = self.repo.work.clone();
                if self.rev(&work, &format!("refs/tags/{name}")).is_none()
                    && self
                        .git(&["tag", "-a", "-m", "a tag of the fix", &name, &target])
                        .status
                        != 0
                {
                    return None;
                }
                format!("refs/tags/{name}")
            }
            Src::Delete => String::new(),
        })
    }

    /// A feature branch without fixes to the fork or the upstream, a fix branch to the mirror.
    fn safe_refspec(&mut self, src: Src, to: Remote, dst: Dst) -> bool {
        match (src, to, dst) {
            (Src::Feature, Remote::Fork | Remote::Upstream, Dst::Feature) => {
                !self.feature_is_on_the_mirror_only()
            }
            (Src::Fix(f), Remote::Mirror, Dst::Review(g) | Dst::FixBranch(g)) => {
                let work = self.repo.work.clone();
                f == g
                    && self
                        .rev(&work, &format!("refs/remotes/security/{}", f.branch()))
                        .is_some()
            }
            _ => false,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The promises

impl World {
    /// Checks promises 1 to 3 after a step.
    fn check(&mut self) {
        self.mirror_within_upstream();
        self.nothing_embargoed_published();
        self.no_tag_moved();
    }

    fn mirror_within_upstream(&mut self) {
        let mirror = self.bare(Remote::Mirror);
        let upstream = self.bare(Remote::Upstream);
        let Some(m) = self.rev(&mirror, "refs/heads/main") else {
            self.fail("promise 1: the mirror's main was deleted".into());
        };
        let Some(u) = self.rev(&upstream, "refs/heads/main") else {
            self.fail("the upstream's main was deleted".into());
        };
        let known = self
            .repo
            .try_git_in(&upstream, &["cat-file", "-e", &format!("{m}^{{commit}}")]);
        let within = known.status == 0
            && self
                .repo
                .try_git_in(&upstream, &["merge-base", "--is-ancestor", &m, &u])
                .status
                == 0;
        if !within {
            self.fail(format!(
                "promise 1: the mirror's main {m} is not within the upstream's main {u}"
            ));
        }
    }

    fn nothing_embargoed_published(&mut self) {
        if self.fix_objects.is_empty() {
            return;
        }
        let upstream = self.bare(Remote::Upstream);
        let public: BTreeSet<String> = self
            .repo
            .try_git_in(&upstream, &["rev-list", "--objects", "refs/heads/main"])
            .stdout
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .map(str::to_owned)
            .collect();
        let embargoed: Vec<&String> = self.fix_objects.difference(&public).collect();
        if embargoed.is_empty() {
            return;
        }
        let list: String = embargoed.iter().map(|id| format!("{id}\n")).collect();
        for remote in [Remote::Fork, Remote::Upstream] {
            let bare = self.bare(remote);
            let mut child = self
                .repo
                .command("git", &bare)
                .args(["cat-file", "--batch-check=%(objectname) %(objecttype)"])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .expect("run git cat-file");
            {
                use std::io::Write;
                let mut stdin = child.stdin.take().expect("stdin");
                stdin.write_all(list.as_bytes()).expect("write ids");
            }
            let output = child.wait_with_output().expect("git cat-file");
            let found: Vec<String> = String::from_utf8_lossy(&output.stdout)
                .lines()
                .filter(|l| !l.ends_with(" missing"))
                .map(str::to_owned)
                .collect();
            if !found.is_empty() {
                self.fail(format!(
                    "promise 2: embargoed objects of the mirror's fix branches are in {}: {found:?}",
                    remote.name()
                ));
            }
        }
    }

    fn remember_tags(&mut self) {
        for (name, tags) in self.all_tags() {
            self.tags.entry(name).or_default().extend(tags);
        }
    }

    fn all_tags(&self) -> Vec<(String, BTreeMap<String, String>)> {
        let mut all = Vec::new();
        for remote in Remote::ALL {
            let bare = self.bare(remote);
            all.push((remote.name().to_owned(), self.repo.tags_of(&bare)));
        }
        all.push(("work".to_owned(), self.repo.tags_of(&self.repo.work)));
        all
    }

    fn no_tag_moved(&mut self) {
        for (name, now) in self.all_tags() {
            let before = self.tags.get(&name).cloned().unwrap_or_default();
            for (tag, target) in &before {
                match now.get(tag) {
                    Some(t) if t == target => {}
                    Some(t) => self.fail(format!(
                        "promise 3: tag {tag} in {name} moved from {target} to {t}"
                    )),
                    None => self.fail(format!("promise 3: tag {tag} in {name} vanished")),
                }
            }
        }
        self.remember_tags();
    }
}

// ---------------------------------------------------------------------------------------------
// The test

fn config() -> Config {
    Config {
        cases: u32::try_from(env_number("PUSH_DUTY_MODEL_CASES", 200)).expect("a case count"),
        rng_seed: RngSeed::Fixed(env_number("PUSH_DUTY_MODEL_SEED", 20261201)),
        max_shrink_iters: 400,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn no_sequence_of_steps_breaks_a_promise(steps in steps()) {
        let mut world = World::new();
        world.check();
        for op in &steps.0 {
            world.step(op);
            world.check();
        }
    }
}

/// The model must be able to fail: a push that skips the hook (`--no-verify`) puts a fix on
/// the mirror's main, and promise 1 says so.
#[test]
fn the_model_sees_a_fix_pushed_to_the_mirror_main_with_no_verify() {
    let mut world = World::new();
    world.step(&Op::FixCommit(Fix::A));
    world.check();
    world.git(&[
        "push",
        "-q",
        "--no-verify",
        "security",
        "security/fix-a:refs/heads/main",
    ]);
    let failed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| world.check()));
    assert!(failed.is_err(), "promise 1 did not see the mirror ahead");
}

/// Promise 2 must be able to fail: the fix pushed to the fork with `--no-verify`.
#[test]
fn the_model_sees_a_fix_pushed_to_the_fork_with_no_verify() {
    let mut world = World::new();
    world.step(&Op::FixCommit(Fix::B));
    world.check();
    world.git(&[
        "push",
        "-q",
        "--no-verify",
        "fork",
        "security/fix-b:refs/heads/x",
    ]);
    let failed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| world.check()));
    assert!(failed.is_err(), "promise 2 did not see the leak");
}

/// The push week in order, as the model runs it: every step is one the model expects to
/// succeed, and it did what it says (so the expectations are not vacuous).
#[test]
fn the_push_week_in_order_passes_every_expectation() {
    let mut world = World::new();
    let week = [
        Op::FixCommit(Fix::A),
        Op::UpstreamCommit,
        Op::FeatureCommit,
        Op::Push {
            src: Src::Feature,
            to: Remote::Fork,
            via: Via::Typed(Form::Relative),
            dst: Dst::Feature,
        },
        Op::Push {
            src: Src::Fix(Fix::A),
            to: Remote::Mirror,
            via: Via::Typed(Form::FileUrl),
            dst: Dst::Review(Fix::A),
        },
        Op::SecurityMerge(Fix::A),
        Op::Tag,
        Op::UpstreamCommit,
        Op::TagPick(Pick::Upstream(0)),
        Op::FixCommit(Fix::B),
        Op::ReleaseMerge {
            fix: Fix::B,
            upstream: Via::Typed(Form::Absolute),
            mirror: Via::RemoteUrl(Form::Symlink),
        },
        Op::UpstreamCommit,
        Op::SyncMirror(Via::PushUrl(Form::NoSuffix)),
    ];
    for op in &week {
        world.step(op);
        world.check();
    }
    let upstream = world.bare(Remote::Upstream);
    let mirror = world.bare(Remote::Mirror);
    let fork = world.bare(Remote::Fork);
    for fix in ["refs/remotes/security/fix-a", "refs/remotes/security/fix-b"] {
        let id = world
            .rev(&world.repo.work.clone(), fix)
            .expect("fetched fix");
        world.repo.git_in(
            &upstream,
            &["merge-base", "--is-ancestor", &id, "refs/heads/main"],
        );
    }
    assert_eq!(
        world.rev(&mirror, "refs/heads/main"),
        world.rev(&upstream, "refs/heads/main"),
        "{}",
        world.log.join("\n")
    );
    let tags: Vec<String> = world.repo.tags_of(&upstream).into_keys().collect();
    assert_eq!(tags, ["2026.11.26", "2026.12.03", "2026.12.03-1"]);
    assert!(world.rev(&fork, "refs/heads/feature").is_some());
    assert!(world.rev(&mirror, "refs/heads/review-fix-a").is_some());
}

// ---------------------------------------------------------------------------------------------
// The holes this test found open before issue 7's fixes (and one found after), each the shortest
// sequence that showed it, and the promise it broke then. Each must hold now, and the push that
// broke it must be refused by the hook.

/// Runs `steps` from the starting point, checking the promises after each.
fn run_steps(steps: &[Op]) -> World {
    let mut world = World::new();
    world.check();
    for op in steps {
        world.step(op);
        world.check();
    }
    world
}

/// Panics unless the last push was refused by the hook.
#[track_caller]
fn last_push_refused(world: &World) {
    match &world.last_push {
        Some((_, true)) => {}
        other => world.fail(format!("the hook did not refuse the last push: {other:?}")),
    }
}

fn feature_to_mirror_main(via: Via) -> Op {
    Op::Push {
        src: Src::Feature,
        to: Remote::Mirror,
        via,
        dst: Dst::Main,
    }
}

/// Promise 1, broken then: the mirror was not recognised in these spellings (and `ext::`, which
/// leads there by a command, is refused).
#[test]
fn every_spelling_of_the_mirror_is_guarded() {
    for via in [
        Via::Typed(Form::FilePercent),
        Via::Typed(Form::SymlinkDotDot),
        Via::RemoteUrl(Form::Tilde),
        Via::Typed(Form::Tilde),
        Via::Typed(Form::Gitfile),
        Via::Typed(Form::GitDirSubdir),
        Via::Typed(Form::Ext),
        Via::PushUrl(Form::Ext),
    ] {
        let world = run_steps(&[feature_to_mirror_main(via)]);
        last_push_refused(&world);
    }
}

/// Promise 1: `refs/heads/release`, a symbolic ref to the mirror's main there, moved it.
#[test]
fn a_push_to_a_symbolic_ref_to_the_mirrors_main_is_refused() {
    let world = run_steps(&[Op::Push {
        src: Src::Feature,
        to: Remote::Mirror,
        via: Via::Name,
        dst: Dst::Release,
    }]);
    last_push_refused(&world);
}

/// Promise 2: a fix's tree, blob, or a tag of the tree reached the fork; a tag of the fix, the
/// upstream (through its main, which refuses a tag but keeps its objects).
#[test]
fn trees_blobs_and_tags_of_a_fix_are_refused_elsewhere() {
    for (src, to, dst) in [
        (Src::FixTree(Fix::A), Remote::Fork, Dst::Tag(0)),
        (Src::FixBlob(Fix::A), Remote::Fork, Dst::Tag(1)),
        (Src::FixTreeTag(Fix::A), Remote::Upstream, Dst::Feature),
        (Src::FixTag(Fix::A), Remote::Upstream, Dst::Main),
    ] {
        let world = run_steps(&[
            Op::FixCommit(Fix::A),
            Op::Push {
                src,
                to,
                via: Via::Name,
                dst,
            },
        ]);
        last_push_refused(&world);
    }
}

/// Promise 2: `tag --cherry-pick security/fix-a` published the fix.
#[test]
fn a_cherry_pick_of_a_fix_is_refused() {
    let mut world = run_steps(&[Op::FixCommit(Fix::A), Op::TagPick(Pick::Fix(Fix::A))]);
    let tags = world.repo.tags_of(&world.bare(Remote::Upstream));
    assert_eq!(tags.keys().collect::<Vec<_>>(), ["2026.11.26"]);
    let run = world.tool(&["tag", "--cherry-pick", "security/fix-a", "--yes"]);
    if run.status == 0 {
        world.fail("tag --cherry-pick of a fix succeeded".into());
    }
}

/// Promises 1 and 4: a checked-out team file switched the guard off, or made the fork the
/// mirror, and refused a fix branch pushed to the real mirror.
#[test]
fn a_checked_out_team_file_changes_nothing_the_hook_guards() {
    for team in [
        TeamFile::NoSuchMirror,
        TeamFile::ForkIsTheMirror,
        TeamFile::BranchWithSlash,
        TeamFile::UpstreamIsFork,
        TeamFile::SecurityUrlIsFork,
        TeamFile::UnknownKey,
    ] {
        let world = run_steps(&[
            Op::FixCommit(Fix::A),
            Op::TeamFileCheckout(team),
            // Safe, so expected to pass.
            Op::Push {
                src: Src::Fix(Fix::A),
                to: Remote::Mirror,
                via: Via::Name,
                dst: Dst::Review(Fix::A),
            },
            Op::Push {
                src: Src::Feature,
                to: Remote::Fork,
                via: Via::Name,
                dst: Dst::Feature,
            },
            feature_to_mirror_main(Via::Name),
        ]);
        last_push_refused(&world);
    }
}

/// Promise 1: with the upstream's push URL at a staging copy, `git push upstream main` went
/// there, updated `upstream/main`, and the mirror's main followed.
#[test]
fn a_push_by_the_upstreams_name_to_a_staging_copy_is_refused() {
    let world = run_steps(&[
        Op::FixCommit(Fix::A),
        Op::ToggleStagingPushurl,
        Op::ReleaseMerge {
            fix: Fix::A,
            upstream: Via::Name,
            mirror: Via::Name,
        },
    ]);
    last_push_refused(&world);
}

/// Promise 4: after a colleague's release merge, with `upstream/main` stale, `tag --yes` was
/// refused by its own hook (the step expects it to succeed).
#[test]
fn tag_after_a_colleagues_release_merge_succeeds() {
    run_steps(&[Op::FixCommit(Fix::A), Op::ColleagueMerge(Fix::A), Op::Tag]);
}

/// A `git -c` that changes what the pins protect is refused; one that says them again is not.
#[test]
fn a_git_c_that_changes_the_pins_is_refused_and_one_that_agrees_is_not() {
    for setting in Override::ALL {
        let world = run_steps(&[
            Op::FixCommit(Fix::A),
            Op::PushWithConfig {
                setting,
                src: Src::Fix(Fix::A),
                to: Remote::Mirror,
                via: Via::Name,
                dst: Dst::Review(Fix::A),
            },
        ]);
        let refused = world.last_push.as_ref().is_some_and(|(_, r)| *r);
        if refused == setting.agrees() {
            world.fail(format!("{setting:?}: refused {refused}"));
        }
    }
}

/// A second address of the mirror remote that is the fork: a push by the mirror's name is
/// refused (it may be either), by its URL it passes.
#[test]
fn a_second_mirror_address_that_is_the_fork_is_refused() {
    for kind in [SecondUrl::Url, SecondUrl::PushUrl] {
        let fix_to = |via| Op::Push {
            src: Src::Fix(Fix::A),
            to: Remote::Mirror,
            via,
            dst: Dst::Review(Fix::A),
        };
        let mut world = run_steps(&[
            Op::FixCommit(Fix::A),
            Op::ToggleSecondMirrorUrl(kind),
            fix_to(Via::Name),
        ]);
        last_push_refused(&world);
        world.step(&fix_to(Via::Typed(Form::Absolute)));
        world.check();
        world.step(&Op::ToggleSecondMirrorUrl(kind));
        world.step(&fix_to(Via::Name));
        world.check();
    }
}
