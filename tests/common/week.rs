//! The week's setups: a team file with the rotation written into the clone, sibling clones for
//! the train, and [`ChatServer`], a local HTTP server that answers as Matrix or Slack would and
//! records every request, so a test checks each one as the real API documents it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::TestRepo;

/// The rotation: four heroes, willdurand pushed on Thursday 2026-11-26.
pub const ROTATION: &str = "[pushduty]\n\thero = willdurand\n\thero = eviljeff\n\thero = mat\n\thero = bsilverberg\n\tanchor = 2026-11-26\n";

impl TestRepo {
    /// Writes the team file `.pushduty` at the top of the clone (not committed).
    #[track_caller]
    pub fn team_file(&self, body: &str) {
        std::fs::write(self.work.join(".pushduty"), body).expect("write the team file");
    }

    /// A second repository of the train beside the clone: a bare `NAME-upstream.git` with one
    /// commit on main, and its clone `NAME` with remote `upstream`. Returns the clone's path.
    #[track_caller]
    pub fn sibling(&self, name: &str) -> PathBuf {
        let root = self.root();
        let bare = format!("{name}-upstream.git");
        self.git_in(&root, &["init", "--bare", "-q", "-b", "main", &bare]);
        self.git_in(&root, &["init", "-q", "-b", "main", name]);
        let clone = root.join(name);
        self.commit_in(
            &clone,
            "README.md",
            &format!("# {name}\n"),
            "Initial commit",
        );
        self.git_in(
            &clone,
            &["remote", "add", "upstream", &format!("../{bare}")],
        );
        self.git_in(&clone, &["push", "-q", "upstream", "main"]);
        self.git_in(&clone, &["fetch", "-q", "upstream"]);
        clone
    }

    /// The bare upstream of a sibling made by [`TestRepo::sibling`].
    pub fn sibling_upstream(&self, name: &str) -> PathBuf {
        self.root().join(format!("{name}-upstream.git"))
    }
}

/// One request as the server read it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// The path and query, as sent (still percent-encoded).
    pub target: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == &name.to_ascii_lowercase())
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("the request body is JSON")
    }
}

/// What the server answers a request: status and body.
pub type Answer = Box<dyn Fn(&Request) -> (u16, String) + Send + Sync>;

/// A local HTTP/1.1 server on 127.0.0.1, one connection at a time, `Connection: close`.
pub struct ChatServer {
    pub port: u16,
    pub requests: Arc<Mutex<Vec<Request>>>,
}

impl ChatServer {
    pub fn start(answer: Answer) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("local address").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let Some(request) = read_request(&mut stream) else {
                    continue;
                };
                let (status, body) = answer(&request);
                seen.lock().expect("lock").push(request);
                let reply = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(reply.as_bytes());
            }
        });
        ChatServer { port, requests }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().expect("lock").clone()
    }
}

fn read_request(stream: &mut std::net::TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        target,
        headers,
        body: String::from_utf8(body).ok()?,
    })
}

/// The path of `p` as a string, for command lines.
pub fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}
