//! `GIT_CONFIG_PARAMETERS`, as git writes it for `git -c key=value ...`: parsed exactly as git's
//! own `parse_config_env_list` reads it back, so that no `-c` value is lost. A string git would
//! call "bogus" is an error naming the variable, never the values before it alone.

use anyhow::Result;

use crate::error::Refusal;

/// The environment variable git hands `-c` values on in.
pub const VARIABLE: &str = "GIT_CONFIG_PARAMETERS";

/// Parses `GIT_CONFIG_PARAMETERS`: whitespace-separated entries, each either `'key'='value'`
/// (git 2.31+), `'key'=` (`-c key` alone, an implicit true: value `None`), or the older
/// `'key=value'` / `'key'`. Each word is shell single-quoted, with `'` and `!` written outside
/// the quotes as `\'` and `\!` (`'a'\''b'`, `''\!'printenv X'`).
pub fn parse_config_parameters(text: &str) -> Result<Vec<(String, Option<String>)>> {
    let chars: Vec<char> = text.chars().collect();
    let mut pairs = Vec::new();
    let mut at = skip_space(&chars, 0);
    while at < chars.len() {
        let (word, next) =
            dequote(&chars, at).ok_or_else(|| bogus(text, at, "an unterminated quote"))?;
        at = next;
        match chars.get(at) {
            None => pairs.push(old_style(&word, text, at)?),
            Some(c) if c.is_whitespace() => pairs.push(old_style(&word, text, at)?),
            Some('=') => {
                at += 1;
                match chars.get(at) {
                    Some('\'') => {
                        let (value, next) = dequote(&chars, at)
                            .ok_or_else(|| bogus(text, at, "an unterminated quote"))?;
                        at = next;
                        if chars.get(at).is_some_and(|c| !c.is_whitespace()) {
                            return Err(bogus(text, at, "text right after a quoted value"));
                        }
                        pairs.push((key(&word, text, at)?, Some(value)));
                    }
                    None => pairs.push((key(&word, text, at)?, None)),
                    Some(c) if c.is_whitespace() => pairs.push((key(&word, text, at)?, None)),
                    Some(_) => return Err(bogus(text, at, "an unquoted value")),
                }
            }
            Some(_) => return Err(bogus(text, at, "text right after a quoted key")),
        }
        at = skip_space(&chars, at);
    }
    Ok(pairs)
}

fn skip_space(chars: &[char], mut at: usize) -> usize {
    while chars.get(at).is_some_and(|c| c.is_whitespace()) {
        at += 1;
    }
    at
}

/// One single-quoted word starting at `at` (git's `sq_dequote_step`): its text and where the
/// input goes on after it. `None` if it does not start with a quote or never ends.
fn dequote(chars: &[char], mut at: usize) -> Option<(String, usize)> {
    if chars.get(at) != Some(&'\'') {
        return None;
    }
    let mut out = String::new();
    loop {
        at += 1;
        match *chars.get(at)? {
            '\'' => {
                // Out of the quotes: `\'` or `\!` followed by a new quote continues the word.
                if chars.get(at + 1) == Some(&'\\')
                    && matches!(chars.get(at + 2), Some('\'' | '!'))
                    && chars.get(at + 3) == Some(&'\'')
                {
                    out.push(chars[at + 2]);
                    at += 3;
                    continue;
                }
                return Some((out, at + 1));
            }
            c => out.push(c),
        }
    }
}

/// `'key=value'` (git before 2.31): split at the first `=`; no `=` is an implicit true.
fn old_style(word: &str, text: &str, at: usize) -> Result<(String, Option<String>)> {
    match word.split_once('=') {
        Some((k, v)) => Ok((key(k, text, at)?, Some(v.to_owned()))),
        None => Ok((key(word, text, at)?, None)),
    }
}

fn key(word: &str, text: &str, at: usize) -> Result<String> {
    let key = word.trim();
    if key.is_empty() {
        return Err(bogus(text, at, "an empty key"));
    }
    Ok(key.to_owned())
}

fn bogus(text: &str, at: usize, what: &str) -> anyhow::Error {
    let near: String = text.chars().skip(at.saturating_sub(20)).take(40).collect();
    anyhow::Error::new(
        Refusal::new(format!(
            "{VARIABLE} is malformed ({what} at character {at}, near {near:?}), so the git -c settings it carries cannot be read: nothing was done"
        ))
        .hint(format!(
            "git sets it for git -c key=value; run the command again without setting {VARIABLE} by hand (unset {VARIABLE})"
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<(String, Option<String>)> {
        parse_config_parameters(text).unwrap_or_else(|e| panic!("{text:?}: {e:#}"))
    }

    fn pair(k: &str, v: Option<&str>) -> (String, Option<String>) {
        (k.to_owned(), v.map(str::to_owned))
    }

    #[test]
    fn every_form_git_writes() {
        // What git 2.47 exports for `-c color.ui -c a.b= -c x.y=z`.
        assert_eq!(
            parse("'color.ui'= 'a.b'='' 'x.y'='z'"),
            vec![
                pair("color.ui", None),
                pair("a.b", Some("")),
                pair("x.y", Some("z"))
            ]
        );
        assert_eq!(
            parse("'alias.dump'=''\\!'printenv X' 'a.b'='it'\\''s = x'"),
            vec![
                pair("alias.dump", Some("!printenv X")),
                pair("a.b", Some("it's = x")),
            ]
        );
        // Older git: the whole `key=value` in one word; a key alone is true.
        assert_eq!(
            parse("'pushduty.cadence=2' 'flag.on' 'e.mpty='"),
            vec![
                pair("pushduty.cadence", Some("2")),
                pair("flag.on", None),
                pair("e.mpty", Some("")),
            ]
        );
        assert_eq!(parse(""), vec![]);
        assert_eq!(parse("  \n"), vec![]);
        assert_eq!(
            parse("'a.b'='x y'\t'c.d'='='"),
            vec![pair("a.b", Some("x y")), pair("c.d", Some("="))]
        );
    }

    #[test]
    fn anything_git_would_call_bogus_is_an_error_naming_the_variable() {
        for bad in [
            "'unterminated",
            "'a.b'='1' garbage 'c.d'='2'",
            "'a.b'=unquoted",
            "'a.b'='1'x",
            "'a.b'x",
            "'a.b'='open",
            "''='v'",
            "'a.b'\\",
        ] {
            let err = parse_config_parameters(bad).expect_err(bad);
            assert!(
                format!("{err:#}").starts_with("GIT_CONFIG_PARAMETERS is malformed"),
                "{bad}: {err:#}"
            );
        }
    }

    #[test]
    fn a_backslash_outside_quotes_only_escapes_a_quote_or_a_bang() {
        assert!(parse_config_parameters("'a'\\x'b'").is_err());
        assert_eq!(parse("'a.b'='x'\\!'y'"), vec![pair("a.b", Some("x!y"))]);
    }
}
