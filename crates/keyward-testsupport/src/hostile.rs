//! Servers that misbehave on purpose, for the security tests: an endpoint that reads a
//! request and then resets the connection or closes it in the middle of a response
//! (the paths where lower layers write error texts that may quote a URL), and a proxy
//! that only records who reached it (to prove nothing did).
//!
//! Plain TCP on 127.0.0.1, one thread per connection; they live until the test process
//! ends. Every request head read is kept, so a test can check that the secret really
//! went out before it checks that no error repeats it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What the server does once it has read a request head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// SO_LINGER 0 and close: the client sees a TCP reset.
    Reset,
    /// Sends a status line and headers promising a longer body, a few bytes of it, then
    /// resets: the client sees a body cut short.
    CloseMidResponse,
    /// Answers `502 Bad Gateway`: what a proxy that is not supposed to be used says.
    Refuse,
}

/// A running hostile server.
pub struct Hostile {
    pub port: u16,
    connections: Arc<AtomicUsize>,
    heads: Arc<Mutex<Vec<String>>>,
}

impl Hostile {
    pub fn start(behaviour: Behaviour) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let port = listener.local_addr().expect("local address").port();
        let connections = Arc::new(AtomicUsize::new(0));
        let heads = Arc::new(Mutex::new(Vec::new()));
        let (counted, recorded) = (connections.clone(), heads.clone());
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a tokio runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        continue;
                    };
                    counted.fetch_add(1, Ordering::SeqCst);
                    let recorded = recorded.clone();
                    tokio::spawn(async move { serve(stream, behaviour, &recorded).await });
                }
            });
        });
        Self {
            port,
            connections,
            heads,
        }
    }

    /// `http://127.0.0.1:PORT` followed by `path_and_query`.
    pub fn url(&self, path_and_query: &str) -> String {
        format!("http://127.0.0.1:{}{path_and_query}", self.port)
    }

    /// Connections accepted so far, whether or not a request followed.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// The request heads read so far (request line and headers).
    pub fn heads(&self) -> Vec<String> {
        self.heads.lock().expect("heads lock").clone()
    }
}

async fn serve(mut stream: TcpStream, behaviour: Behaviour, recorded: &Mutex<Vec<String>>) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 {
        match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut byte)).await {
            Ok(Ok(1)) => head.push(byte[0]),
            _ => break,
        }
    }
    if !head.is_empty() {
        recorded
            .lock()
            .expect("heads lock")
            .push(String::from_utf8_lossy(&head).into_owned());
    }
    match behaviour {
        Behaviour::Reset => {
            let _ = stream.set_zero_linger();
        }
        Behaviour::CloseMidResponse => {
            let _ = stream
                .write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4096\r\n\r\npartial",
                )
                .await;
            let _ = stream.flush().await;
            // A reset after the partial body rather than a clean FIN, so the client's
            // error is about the connection, not only the missing bytes.
            tokio::time::sleep(Duration::from_millis(50)).await;
            let _ = stream.set_zero_linger();
        }
        Behaviour::Refuse => {
            let _ = stream
                .write_all(
                    b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 9\r\nConnection: close\r\n\r\nthe proxy",
                )
                .await;
            let _ = stream.flush().await;
        }
    }
}
