//! The week around the tag, as pure modules that `who`, `notes`, `topic`, `deployed` and
//! `status` wire: who pushes when ([`rotation`], and as a calendar feed, [`ics`]), the release
//! notes document ([`notes`]), the chat topic and the requests that set it ([`topic`]), whether
//! a tag has deployed ([`dockerflow`]), the week's checklist and its single next step
//! ([`checklist`]), and the placeholder filler the team's own wording goes through
//! ([`template`]). None of them does I/O: the commands gather the facts and send what these
//! build.

pub mod checklist;
pub mod dockerflow;
pub mod ics;
pub mod notes;
pub mod rotation;
pub mod template;
pub mod topic;
