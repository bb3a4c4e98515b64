//! Values the guard's unit tests share: ids, push lines, commits.

use gix::ObjectId;

use super::facts::CommitInfo;
use super::input::PushLine;

pub const SHA1: gix::hash::Kind = gix::hash::Kind::Sha1;

pub fn oid(n: u8) -> ObjectId {
    ObjectId::from_bytes_or_panic(&[n; 20])
}

pub fn null() -> ObjectId {
    ObjectId::null(SHA1)
}

pub fn line(local_ref: &str, local: ObjectId, remote_ref: &str, remote: ObjectId) -> PushLine {
    PushLine {
        local_ref: local_ref.into(),
        local,
        remote_ref: remote_ref.into(),
        remote,
    }
}

pub fn info(id: ObjectId) -> CommitInfo {
    CommitInfo {
        id,
        short: id.to_hex_with_len(7).to_string(),
        subject: format!("commit {}", id.as_bytes()[0]),
    }
}
