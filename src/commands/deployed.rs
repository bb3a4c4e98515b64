//! `git push-duty deployed`: does each service of an environment run the push's tag?

use std::time::{Duration, Instant};

use anyhow::Result;

use crate::config::ENV_URL;
use crate::console::Console;
use crate::context::Context;
use crate::deploy::{self, Fetcher, Member, State, Target};
use crate::error::{Refusal, refuse};

/// Check that the push's tag has deployed, from each service's /__version__.
///
/// For each repository of the train with a version URL for the environment
/// ([pushduty "stage"] url = https://addons.allizom.org/__version__, in the team file or git
/// config; file:///path reads a file, for a simulated stage), the Dockerflow version object
/// ({"source", "version", "commit", "build"}) is fetched and its commit compared with the
/// expected tag's: the latest revision of the current push's tag, or --tag. The commit decides:
/// "version" may be empty. One line per service: deployed, still on TAG (and how many commits
/// behind), or unreachable with the reason naming the URL (not JSON, a 404, a 5xx, no answer in
/// time, a redirect to a login page, a TLS failure, an answer over 64 KiB).
///
/// Exits 0 only when every service runs the tag. --wait asks again until then or until
/// --timeout passes. Nothing is changed (the tag's objects may be fetched, writing no ref).
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The environment (a [pushduty "NAME"] section); default: the first one configured.
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// The tag that should run, instead of the latest revision of the current push's tag.
    #[arg(long, value_name = "TAG")]
    pub tag: Option<String>,
    /// Ask again until every service runs the tag or --timeout passes (a progress line on a
    /// terminal, a line per change otherwise).
    #[arg(long)]
    pub wait: bool,
    /// How long --wait waits, as 90s, 30m, 1h or 1h30m (default 30m). Each request is given at
    /// most 10s, or the timeout if shorter.
    #[arg(long, value_name = "DURATION", default_value = "30m")]
    pub timeout: String,
    /// How often --wait asks again (default 15s).
    #[arg(long, value_name = "DURATION", default_value = "15s")]
    pub interval: String,
    /// Print a JSON object: environment, deployed, and services (each with repository, url,
    /// tag, commit, state, version, running_commit, behind, error).
    #[arg(long)]
    pub json: bool,
}

/// The longest one request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

struct Service {
    member: usize,
    url: String,
    target: Target,
    state: Option<State>,
}

pub fn run(ctx: &Context<'_>, console: &mut Console<'_>, args: &Args) -> Result<()> {
    let timeout = duration_flag("--timeout", &args.timeout)?;
    let interval = duration_flag("--interval", &args.interval)?;
    let members = deploy::members(ctx.repo)?;
    let env = environment(&members, args.env.as_deref())?;
    let push_date = ctx.push_date(None)?.date;
    let mut services = Vec::new();
    for (i, member) in members.iter().enumerate() {
        let Some((url, _)) = member.url(&env) else {
            continue;
        };
        services.push(Service {
            member: i,
            url: url.to_owned(),
            target: deploy::target(
                &ctx.for_repository(&member.repo)?,
                member,
                push_date,
                args.tag.as_deref(),
            )?,
            state: None,
        });
    }
    let fetcher = Fetcher::new(REQUEST_TIMEOUT.min(timeout))?;
    let started = Instant::now();
    let mut last_summary = String::new();
    loop {
        for s in services.iter_mut() {
            if !s.state.as_ref().is_some_and(State::is_deployed) {
                s.state = Some(deploy::check(
                    &members[s.member].repo,
                    &fetcher,
                    &s.url,
                    &s.target,
                ));
            }
        }
        let deployed = services.iter().filter(|s| is_deployed(s)).count();
        let elapsed = started.elapsed();
        // A URL that is no URL will not start answering: waiting is no use.
        let hopeless = services
            .iter()
            .any(|s| matches!(&s.state, Some(State::Unreachable(e)) if e.kind() == "scheme"));
        if !args.wait || deployed == services.len() || elapsed >= timeout || hopeless {
            break;
        }
        // Why it waits, so a wrong URL does not pass for a slow deploy.
        let pending: Vec<String> = services
            .iter()
            .filter(|s| !is_deployed(s))
            .map(|s| format!("{}: {}", members[s.member].name, line(s)))
            .collect();
        let summary = format!(
            "{deployed} of {} deployed on {env}; {}",
            services.len(),
            pending.join("; ")
        );
        if console.interactive {
            write!(
                console.err,
                "\rwaiting {} of {}: {summary} ",
                human(elapsed),
                human(timeout)
            )?;
            console.err.flush()?;
        } else if summary != last_summary {
            writeln!(console.err, "waiting up to {}: {summary}", human(timeout))?;
        }
        last_summary = summary;
        std::thread::sleep(interval.min(timeout.saturating_sub(elapsed)));
    }
    if args.wait && console.interactive {
        writeln!(console.err)?;
    }
    report(console, &members, &env, &services, args)
}

fn is_deployed(s: &Service) -> bool {
    s.state.as_ref().is_some_and(State::is_deployed)
}

fn report(
    console: &mut Console<'_>,
    members: &[Member],
    env: &str,
    services: &[Service],
    args: &Args,
) -> Result<()> {
    let all = services.iter().all(is_deployed);
    if args.json {
        let list: Vec<serde_json::Value> = services
            .iter()
            .map(|s| service_json(&members[s.member].name, s))
            .collect();
        let doc = serde_json::json!({
            "environment": env,
            "deployed": all,
            "services": list,
        });
        serde_json::to_writer_pretty(&mut *console.out, &doc)?;
        writeln!(console.out)?;
    } else {
        for s in services {
            writeln!(
                console.out,
                "{env}: {}: {}",
                members[s.member].name,
                line(s)
            )?;
        }
    }
    if all {
        return Ok(());
    }
    let waiting: Vec<&str> = services
        .iter()
        .filter(|s| !is_deployed(s))
        .map(|s| members[s.member].name.as_str())
        .collect();
    let mut refusal = Refusal::new(format!(
        "not deployed on {env}: {} of {} services {} not run the tag yet ({})",
        waiting.len(),
        services.len(),
        if waiting.len() == 1 { "does" } else { "do" },
        waiting.join(", ")
    ));
    if args.wait {
        refusal = refusal.hint(format!(
            "waited {}; wait longer: git push-duty deployed --env {env} --wait --timeout 1h",
            args.timeout
        ));
    } else {
        refusal = refusal.hint(format!(
            "wait for the deploy: git push-duty deployed --env {env} --wait"
        ));
    }
    if services
        .iter()
        .any(|s| matches!(s.state, Some(State::Unreachable(_))))
    {
        refusal = refusal.hint(format!(
            "if a URL is wrong, set it: git config --file .pushduty pushduty.{env}.{ENV_URL} https://HOST/__version__"
        ));
    }
    refuse(refusal)
}

fn line(s: &Service) -> String {
    let tag = &s.target.tag;
    let short = |c: &str| c.chars().take(7).collect::<String>();
    match &s.state {
        Some(State::Deployed { .. }) => {
            format!("deployed {tag} ({})", short(&s.target.commit.to_string()))
        }
        Some(State::StillOn {
            version,
            commit,
            behind,
        }) => {
            let on = match version {
                Some(v) => format!("{v} ({})", short(commit)),
                None => format!("commit {}", short(commit)),
            };
            let behind = match behind {
                Some(0) | None => String::new(),
                Some(1) => ", 1 commit behind".to_owned(),
                Some(n) => format!(", {n} commits behind"),
            };
            format!("still on {on}{behind}, not {tag}")
        }
        Some(State::Unknown { reason }) => format!("cannot tell whether it runs {tag}: {reason}"),
        Some(State::Unreachable(e)) => format!("unreachable: {e}"),
        None => "not asked".to_owned(),
    }
}

fn service_json(name: &str, s: &Service) -> serde_json::Value {
    let mut value = serde_json::json!({
        "repository": name,
        "url": crate::deploy::fetch::shown(&s.url),
        "tag": s.target.tag,
        "commit": s.target.commit.to_string(),
        "state": s.state.as_ref().map_or("not-asked", State::word),
        "version": null,
        "running_commit": null,
        "behind": null,
        "error": null,
    });
    match &s.state {
        Some(State::Deployed { version }) => {
            value["version"] = serde_json::json!(version);
            value["running_commit"] = serde_json::json!(s.target.commit.to_string());
        }
        Some(State::StillOn {
            version,
            commit,
            behind,
        }) => {
            value["version"] = serde_json::json!(version);
            value["running_commit"] = serde_json::json!(commit);
            value["behind"] = serde_json::json!(behind);
        }
        Some(State::Unknown { reason }) => value["error"] = serde_json::json!(reason),
        Some(State::Unreachable(e)) => {
            value["error"] = serde_json::json!(e.to_string());
            value["error_kind"] = serde_json::json!(e.kind());
        }
        None => {}
    }
    value
}

/// The environment to check: `--env`, else the first one configured.
fn environment(members: &[Member], asked: Option<&str>) -> Result<String> {
    let names = deploy::environment_names(members);
    match asked {
        Some(env) if names.iter().any(|n| n == env) => Ok(env.to_owned()),
        Some(env) if names.is_empty() => refuse(no_environment().hint(format!(
            "for {env}: git config --file .pushduty pushduty.{env}.{ENV_URL} https://HOST/__version__"
        ))),
        Some(env) => refuse(
            Refusal::usage(format!(
                "no repository has a version URL for the environment {env:?}; the environments are: {}",
                names.join(", ")
            ))
            .hint(format!(
                "add it: git config --file .pushduty pushduty.{env}.{ENV_URL} https://HOST/__version__"
            )),
        ),
        None => match names.into_iter().next() {
            Some(env) => Ok(env),
            None => refuse(no_environment()),
        },
    }
}

fn no_environment() -> Refusal {
    Refusal::configuration(
        "no environment has a version URL, so there is nothing to check a deploy against",
    )
    .hint(format!(
        "add the stage's: git config --file .pushduty pushduty.stage.{ENV_URL} https://HOST/__version__"
    ))
}

/// `90s`, `30m`, `1h`, `1h30m`, `2m30s`, or a number of seconds.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let mut total: u64 = 0;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return None,
        };
        let n: u64 = number.parse().ok()?;
        number.clear();
        total = total.checked_add(n.checked_mul(unit)?)?;
    }
    if !number.is_empty() {
        return None;
    }
    Some(Duration::from_secs(total))
}

fn duration_flag(flag: &str, text: &str) -> Result<Duration> {
    match parse_duration(text) {
        Some(d) if !d.is_zero() => Ok(d),
        _ => refuse(Refusal::usage(format!(
            "{flag} {text:?} is not a duration such as 90s, 30m or 1h30m"
        ))),
    }
}

/// `1h30m`, `2m05s`, `45s`.
fn human(d: Duration) -> String {
    let s = d.as_secs();
    match (s / 3600, (s % 3600) / 60, s % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, s) => format!("{m}m{s:02}s"),
        (h, m, _) => format!("{h}h{m:02}m"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let d = |s| parse_duration(s).map(|d| d.as_secs());
        assert_eq!(d("30m"), Some(1800));
        assert_eq!(d("90s"), Some(90));
        assert_eq!(d("1h30m"), Some(5400));
        assert_eq!(d("45"), Some(45));
        for bad in [
            "",
            "m",
            "1x",
            "30 m",
            "1h30",
            "-5s",
            "99999999999999999999h",
        ] {
            assert_eq!(d(bad), None, "{bad:?}");
        }
        assert_eq!(human(Duration::from_secs(5400)), "1h30m");
        assert_eq!(human(Duration::from_secs(125)), "2m05s");
        assert_eq!(human(Duration::from_secs(7)), "7s");
    }
}
