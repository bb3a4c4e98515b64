//! git's lines on a hook's standard input, read into [`PushLine`]s: the pre-push hook's
//! `<local ref> SP <local oid> SP <remote ref> SP <remote oid>`, and a server's pre-receive hook's
//! `<old oid> SP <new oid> SP <ref>`, which the decision judges the same way (as a push to the
//! mirror). Whatever git did not write is an error, never a guess: the push is refused.

use gix::ObjectId;

/// One ref a push changes, as the pre-push hook is told it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushLine {
    /// The source as typed (`HEAD`, `main@{1 minute ago}`, an abbreviated id) or `(delete)`.
    pub local_ref: String,
    /// What is pushed; the null id for a deletion.
    pub local: ObjectId,
    /// The destination ref, fully qualified.
    pub remote_ref: String,
    /// What the remote has now; the null id for a new ref. May not exist locally.
    pub remote: ObjectId,
}

impl PushLine {
    pub fn is_deletion(&self) -> bool {
        self.local.is_null()
    }
}

/// A line of standard input that is not what git sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    /// 1-based.
    pub number: usize,
    pub line: String,
    pub problem: String,
}

/// Reads git's lines, `<local ref> SP <local oid> SP <remote ref> SP <remote oid>`, splitting
/// from the right because the local ref may contain spaces. Ids must be full ids of `hash`.
/// Blank lines are skipped; anything else malformed is an error (the push is refused, not
/// guessed at).
pub fn parse(input: &str, hash: gix::hash::Kind) -> Result<Vec<PushLine>, BadLine> {
    let mut lines = Vec::new();
    for (n, raw) in input.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            continue;
        }
        let bad = |problem: &str| BadLine {
            number: n + 1,
            line: line.chars().take(200).collect(),
            problem: problem.to_owned(),
        };
        let mut fields = line.rsplitn(4, ' ');
        let (Some(remote), Some(remote_ref), Some(local), Some(local_ref)) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(bad("expected four fields"));
        };
        let local = full_id(local, "the local object", hash).map_err(|p| bad(&p))?;
        let remote = full_id(remote, "the remote object", hash).map_err(|p| bad(&p))?;
        if local_ref.is_empty() || remote_ref.is_empty() {
            return Err(bad("a ref name is empty"));
        }
        lines.push(PushLine {
            local_ref: local_ref.to_owned(),
            local,
            remote_ref: remote_ref.to_owned(),
            remote,
        });
    }
    Ok(lines)
}

/// Reads a server's pre-receive lines, `<old oid> SP <new oid> SP <ref>`, into the [`PushLine`]s
/// the decision judges: the ref is both the source shown and the destination, the new id is
/// what is pushed (null for a deletion), the old one what the repository has (null for a new
/// ref). A ref name holds no space, so a line has exactly three fields.
pub fn parse_pre_receive(input: &str, hash: gix::hash::Kind) -> Result<Vec<PushLine>, BadLine> {
    let mut lines = Vec::new();
    for (n, raw) in input.split('\n').enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        let bad = |problem: &str| BadLine {
            number: n + 1,
            line: raw.chars().take(200).collect(),
            problem: problem.to_owned(),
        };
        let fields: Vec<&str> = raw.split(' ').collect();
        let [old, new, name] = fields.as_slice() else {
            return Err(bad("expected three fields"));
        };
        let old = full_id(old, "the old object", hash).map_err(|p| bad(&p))?;
        let new = full_id(new, "the new object", hash).map_err(|p| bad(&p))?;
        if name.is_empty() {
            return Err(bad("the ref name is empty"));
        }
        lines.push(PushLine {
            local_ref: (*name).to_owned(),
            local: new,
            remote_ref: (*name).to_owned(),
            remote: old,
        });
    }
    Ok(lines)
}

/// A full id of `hash` in hex, or what is wrong with it (naming `what`).
fn full_id(text: &str, what: &str, hash: gix::hash::Kind) -> Result<ObjectId, String> {
    if text.len() != hash.len_in_hex() {
        return Err(format!("{what} is not a full {} id", hash_name(hash)));
    }
    ObjectId::from_hex(text.as_bytes()).map_err(|_| format!("{what} is not hex"))
}

fn hash_name(hash: gix::hash::Kind) -> &'static str {
    match hash {
        gix::hash::Kind::Sha1 => "SHA-1",
        _ => "SHA-256",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guard::testing::SHA1;

    #[test]
    fn parse_splits_from_the_right_and_keeps_spaces_in_the_local_ref() {
        let a = "a".repeat(40);
        let z = "0".repeat(40);
        let input = format!(
            "main@{{1 minute ago}} {a} refs/heads/main {z}\n\n(delete) {z} refs/heads/old {a}\n"
        );
        let lines = parse(&input, SHA1).expect("valid");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].local_ref, "main@{1 minute ago}");
        assert_eq!(lines[0].remote_ref, "refs/heads/main");
        assert!(lines[0].remote.is_null());
        assert!(lines[1].is_deletion());
        assert_eq!(lines[1].remote_ref, "refs/heads/old");
    }

    #[test]
    fn parse_reads_sha256_ids_and_refuses_the_wrong_length() {
        let a = "b".repeat(64);
        let z = "0".repeat(64);
        let kind = gix::hash::Kind::Sha256;
        let lines = parse(&format!("HEAD {a} refs/heads/main {z}\n"), kind).expect("valid");
        assert!(lines[0].remote.is_null());
        assert_eq!(lines[0].local.kind(), kind);
        let sha1 = format!(
            "HEAD {} refs/heads/main {}\n",
            "b".repeat(40),
            "0".repeat(40)
        );
        let err = parse(&sha1, kind).unwrap_err();
        assert_eq!(err.problem, "the local object is not a full SHA-256 id");
    }

    #[test]
    fn parse_empty_input_is_no_lines() {
        assert_eq!(parse("", SHA1), Ok(vec![]));
        assert_eq!(parse("\n\r\n  \n", SHA1), Ok(vec![]));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let a = "a".repeat(40);
        for (input, number) in [
            ("garbage".to_owned(), 1),
            (format!("HEAD {a} refs/heads/main"), 1),
            (format!("HEAD {a} refs/heads/main {}", "g".repeat(40)), 1),
            (format!("\nHEAD {a} refs/heads/main {a}x"), 2),
            (format!(" {a} refs/heads/main {a}"), 1),
            (format!("HEAD {a}  {a}"), 1),
            ("\u{1F600} \u{1F600} \u{1F600} \u{1F600}".to_owned(), 1),
            (format!("HEAD {} x {a}", "é".repeat(20)), 1),
        ] {
            let err = parse(&input, SHA1).expect_err(&input);
            assert_eq!(err.number, number, "{input}");
        }
    }

    #[test]
    fn pre_receive_lines_are_the_same_updates() {
        let (a, b, z) = ("a".repeat(40), "b".repeat(40), "0".repeat(40));
        let input =
            format!("{a} {b} refs/heads/main\n{z} {a} refs/heads/fix\n{a} {z} refs/tags/v1\n");
        let lines = parse_pre_receive(&input, SHA1).expect("valid");
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].remote_ref, "refs/heads/main");
        assert_eq!(lines[0].local_ref, "refs/heads/main");
        assert_eq!(lines[0].local.to_string(), b);
        assert_eq!(lines[0].remote.to_string(), a);
        assert!(lines[1].remote.is_null() && !lines[1].is_deletion());
        assert!(lines[2].is_deletion());
        for (bad, problem) in [
            (format!("{a} {b}"), "expected three fields"),
            (format!("{a} {b} refs/heads/a b"), "expected three fields"),
            (format!("{a} {b} "), "the ref name is empty"),
            (
                format!("{a} xyz refs/heads/main"),
                "the new object is not a full SHA-1 id",
            ),
            (
                format!("{} {b} refs/heads/main", "g".repeat(40)),
                "the old object is not hex",
            ),
        ] {
            assert_eq!(
                parse_pre_receive(&bad, SHA1).expect_err(&bad).problem,
                problem
            );
        }
    }
}
