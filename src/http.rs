//! The one HTTP client: blocking reqwest with rustls (the client gix already links for https
//! remotes), with a timeout, no redirects (a redirect to a login page is an answer to report, not
//! to follow) and a bounded answer. Callers build the request (method, URL, headers, body) with
//! the pure modules and judge the answer; this only carries it, adding the bearer token, which is
//! never part of a message.

use std::io::Read;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::week::topic::{Method, Request};

/// How long one request may take, connecting included.
pub const TIMEOUT: Duration = Duration::from_secs(30);
/// The most of an answer that is read: the APIs answer in a few hundred bytes.
pub const ANSWER_LIMIT: u64 = 1024 * 1024;

/// What came back: the status and the body as text (lossy UTF-8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

/// Sends `request` with `Authorization: Bearer TOKEN` when a token is given.
pub fn send(request: &Request, token: Option<&str>) -> Result<Answer> {
    let client = reqwest::blocking::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("git-push-duty/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("cannot set up the HTTP client")?;
    let method = match request.method {
        Method::Get => reqwest::Method::GET,
        Method::Put => reqwest::Method::PUT,
        Method::Post => reqwest::Method::POST,
    };
    let mut builder = client.request(method, &request.url);
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    if let Some(token) = token {
        let mut value = reqwest::header::HeaderValue::from_str(&format!("Bearer {token}"))
            // Not the token itself in the message: it is a secret.
            .map_err(|_| anyhow::anyhow!("the token has characters no HTTP header can carry"))?;
        value.set_sensitive(true);
        builder = builder.header(reqwest::header::AUTHORIZATION, value);
    }
    if let Some(body) = &request.body {
        builder = builder.body(body.clone());
    }
    let what = format!("{} {}", request.method.as_str(), request.url);
    let response = builder
        .send()
        .map_err(|e| anyhow::anyhow!("{what} failed: {}", describe(&e)))?;
    let status = response.status().as_u16();
    let mut bytes = Vec::new();
    response
        .take(ANSWER_LIMIT)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read the answer to {what}"))?;
    Ok(Answer {
        status,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    })
}

/// reqwest's error with its causes.
fn describe(e: &reqwest::Error) -> String {
    let mut text = if e.is_timeout() {
        format!("no answer within {} seconds", TIMEOUT.as_secs())
    } else if e.is_connect() {
        "cannot connect".to_owned()
    } else {
        e.to_string()
    };
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}
