//! Team-written text with `{name}` placeholders (the notes template, the chat topic format): one
//! filler, so both read the same way. `{{` and `}}` stand for literal braces. A placeholder the
//! caller does not know is an error naming it, never left in the output or silently dropped.

use std::fmt;

/// Why a template cannot be filled. The caller names the setting or file it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    /// Placeholders that are not among `known` (each named once, in order of appearance).
    Unknown {
        names: Vec<String>,
        known: Vec<String>,
    },
    /// A `{` with no `}` after it on the same line.
    Unclosed { line: usize },
    /// A `}` that closes nothing (a literal one is written `}}`).
    StrayClose { line: usize },
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemplateError::Unknown { names, known } => {
                let names: Vec<String> = names.iter().map(|n| format!("{{{n}}}")).collect();
                let known: Vec<String> = known.iter().map(|n| format!("{{{n}}}")).collect();
                write!(
                    f,
                    "unknown placeholder{} {} (known: {}; write {{{{ and }}}} for literal braces)",
                    if names.len() == 1 { "" } else { "s" },
                    names.join(", "),
                    known.join(" ")
                )
            }
            TemplateError::Unclosed { line } => write!(
                f,
                "line {line}: a {{ that no }} closes (write {{{{ for a literal brace)"
            ),
            TemplateError::StrayClose { line } => write!(
                f,
                "line {line}: a }} that closes nothing (write }}}} for a literal brace)"
            ),
        }
    }
}

impl std::error::Error for TemplateError {}

/// Fills `template` with `values` (placeholder name, text). Every placeholder must be one of
/// `values`' names; a value is inserted as it is, never scanned for placeholders again.
pub fn fill(template: &str, values: &[(&str, &str)]) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(template.len());
    let mut unknown: Vec<String> = Vec::new();
    let mut line = 1;
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}', '\n']) {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match rest.as_bytes()[i] {
            b'\n' => {
                line += 1;
                out.push('\n');
                rest = after;
            }
            b'{' if after.starts_with('{') => {
                out.push('{');
                rest = &after[1..];
            }
            b'}' if after.starts_with('}') => {
                out.push('}');
                rest = &after[1..];
            }
            b'}' => return Err(TemplateError::StrayClose { line }),
            _ => {
                let Some(end) = after
                    .find(['}', '\n'])
                    .filter(|&e| after.as_bytes()[e] == b'}')
                else {
                    return Err(TemplateError::Unclosed { line });
                };
                let name = &after[..end];
                match values.iter().find(|(n, _)| *n == name) {
                    Some((_, value)) => out.push_str(value),
                    None if !unknown.iter().any(|u| u == name) => unknown.push(name.to_owned()),
                    None => {}
                }
                rest = &after[end + 1..];
            }
        }
    }
    out.push_str(rest);
    if unknown.is_empty() {
        Ok(out)
    } else {
        Err(TemplateError::Unknown {
            names: unknown,
            known: values.iter().map(|(n, _)| (*n).to_owned()).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALUES: &[(&str, &str)] = &[("date", "2026-12-03"), ("hero", "eviljeff")];

    #[test]
    fn placeholders_are_replaced_and_braces_escaped() {
        assert_eq!(
            fill("{hero} pushes on {date} {{not {hero}}}", VALUES),
            Ok("eviljeff pushes on 2026-12-03 {not eviljeff}".to_owned())
        );
        assert_eq!(fill("", VALUES), Ok(String::new()));
        assert_eq!(
            fill("no placeholders\n", VALUES),
            Ok("no placeholders\n".into())
        );
    }

    #[test]
    fn a_value_is_not_scanned_again() {
        assert_eq!(
            fill("{hero}", &[("hero", "{date} }{")]),
            Ok("{date} }{".to_owned())
        );
    }

    #[test]
    fn unknown_placeholders_are_all_named_once() {
        let err = fill("{hero} {heroe} {date} {Date} {heroe} {}", VALUES).unwrap_err();
        assert_eq!(
            err,
            TemplateError::Unknown {
                names: vec!["heroe".into(), "Date".into(), "".into()],
                known: vec!["date".into(), "hero".into()],
            }
        );
        assert_eq!(
            err.to_string(),
            "unknown placeholders {heroe}, {Date}, {} (known: {date} {hero}; write {{ and }} for literal braces)"
        );
    }

    #[test]
    fn unbalanced_braces_name_the_line() {
        assert_eq!(
            fill("ok\n{hero", VALUES),
            Err(TemplateError::Unclosed { line: 2 })
        );
        // A placeholder does not run across lines: that is a JSON block, not a placeholder.
        assert_eq!(
            fill("{\n\"a\": 1}", VALUES),
            Err(TemplateError::Unclosed { line: 1 })
        );
        assert_eq!(
            fill("a\nb\nc } d", VALUES),
            Err(TemplateError::StrayClose { line: 3 })
        );
        assert!(
            fill("{hero", VALUES)
                .unwrap_err()
                .to_string()
                .contains("line 1: a { that no } closes")
        );
    }

    proptest::proptest! {
        #[test]
        fn any_text_with_doubled_braces_comes_back_as_it_was(text in ".*") {
            let escaped = text.replace('{', "{{").replace('}', "}}");
            proptest::prop_assert_eq!(fill(&escaped, VALUES), Ok(text));
        }

        #[test]
        fn any_template_fills_or_errs_without_panicking(text in "[{}a-z\n é]*") {
            let _ = fill(&text, VALUES);
        }
    }

    #[test]
    fn multibyte_text_around_placeholders_is_kept() {
        assert_eq!(
            fill("héros: {hero} — ✓", VALUES),
            Ok("héros: eviljeff — ✓".to_owned())
        );
    }
}
