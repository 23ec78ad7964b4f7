//! A response as far as Keyward reads it: status, headers, and a bounded body.

use reqwest::header::HeaderMap;

/// Why the body ends where it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyEnd {
    Complete,
    /// The policy's body limit was reached; the rest was never read.
    Limit,
    /// The connection failed or the total time ran out mid-body; the reply holds what
    /// arrived, which is still worth a look (a probe judges headers first).
    Interrupted(String),
}

#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub end: BodyEnd,
}

impl Reply {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// The body as text, invalid UTF-8 replaced.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Collects body chunks up to `limit` bytes; shared by the async and blocking readers.
pub(crate) struct BodyReader {
    body: Vec<u8>,
    limit: usize,
}

impl BodyReader {
    pub fn new(limit: usize) -> Self {
        Self {
            body: Vec::new(),
            limit,
        }
    }

    /// Takes a chunk; false once the body goes past the limit and reading must stop.
    /// A body of exactly `limit` bytes still counts as complete.
    pub fn take(&mut self, chunk: &[u8]) -> bool {
        let room = self.limit - self.body.len();
        if chunk.len() > room {
            self.body.extend_from_slice(&chunk[..room]);
            return false;
        }
        self.body.extend_from_slice(chunk);
        true
    }

    pub fn finish(self, status: u16, headers: HeaderMap, end: BodyEnd) -> Reply {
        Reply {
            status,
            headers,
            body: self.body,
            end,
        }
    }
}
