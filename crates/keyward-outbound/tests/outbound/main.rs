//! The outbound policy against real servers on 127.0.0.1: what reaches a server (or a
//! proxy) is counted at the server, not inferred from the client's answer.

mod destinations;
mod limits;
mod proxies;
mod redaction;
mod redirects;
mod support;
mod trust;
