//! One tiny HTTP/1.1 server on 127.0.0.1 per fuzz process, and the current-thread
//! runtime it and the clients run on (both static: started on first use, kept for the
//! process's life). It answers every request with the canned status, content type and
//! bytes of the current input, except `POST /v2/auth`, which gets the canned token
//! answer. The clients reach their private answer decoders (hooks, signatures, `Result`
//! and envelope decoding, neutral mappings) through their real transport this way.

use std::future::Future;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;

/// What the server answers next.
#[derive(Debug, Clone)]
struct Canned {
    status: u16,
    content_type: String,
    body: Vec<u8>,
}

/// The server: its base URL, the runtime, and the canned answers.
#[derive(Debug)]
pub struct Loopback {
    runtime: Runtime,
    url: String,
    canned: Arc<Mutex<Canned>>,
    token_answer: Arc<Mutex<Vec<u8>>>,
}

/// The process's server, started on first use.
///
/// # Panics
///
/// When no runtime can be built or no loopback port bound.
pub fn server() -> &'static Loopback {
    static SERVER: OnceLock<Loopback> = OnceLock::new();
    SERVER.get_or_init(Loopback::start)
}

impl Loopback {
    fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let canned = Arc::new(Mutex::new(Canned {
            status: 200,
            content_type: "application/json".to_owned(),
            body: b"{}".to_vec(),
        }));
        let listener = runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let token_answer = Arc::new(Mutex::new(Vec::new()));
        let (shared, token) = (canned.clone(), token_answer.clone());
        runtime.spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, shared.clone(), token.clone()));
            }
        });
        Self {
            runtime,
            url,
            canned,
            token_answer,
        }
    }

    /// `http://127.0.0.1:PORT`.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Runs `future` to completion on the server's runtime (the server runs meanwhile).
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// Every request but `POST /v2/auth` is answered `status`, `content_type`, `body`.
    pub fn answer(&self, status: u16, content_type: &str, body: &[u8]) {
        *self.canned.lock().unwrap_or_else(PoisonError::into_inner) = Canned {
            status,
            content_type: content_type.to_owned(),
            body: body.to_vec(),
        };
    }

    /// `POST /v2/auth` is answered 200 with `body`.
    pub fn answer_token(&self, body: &[u8]) {
        *self
            .token_answer
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = body.to_vec();
    }
}

async fn read_some(stream: &TcpStream, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut chunk = [0u8; 16 * 1024];
    loop {
        stream.readable().await?;
        match stream.try_read(&mut chunk) {
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                return Ok(n);
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
}

async fn write_all(stream: &TcpStream, mut bytes: &[u8]) -> std::io::Result<()> {
    while !bytes.is_empty() {
        stream.writable().await?;
        match stream.try_write(bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// One keep-alive connection: reads each request (head and `Content-Length` body) and
/// answers the canned status and bytes (or the token answer to `/v2/auth`).
async fn serve(stream: TcpStream, canned: Arc<Mutex<Canned>>, token_answer: Arc<Mutex<Vec<u8>>>) {
    let mut buf = Vec::new();
    loop {
        let (head_end, length) = loop {
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                let length = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .unwrap_or(0);
                break (end + 4, length);
            }
            match read_some(&stream, &mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        };
        while buf.len() < head_end + length {
            match read_some(&stream, &mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
        let is_auth = buf.starts_with(b"POST /v2/auth ");
        buf.drain(..head_end + length);
        let answer = if is_auth {
            Canned {
                status: 200,
                content_type: "application/json".to_owned(),
                body: token_answer
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .clone(),
            }
        } else {
            canned
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone()
        };
        let mut out = format!(
            "HTTP/1.1 {} Fuzz\r\ncontent-type: {}\r\ncontent-length: {}\r\n\r\n",
            answer.status,
            answer.content_type,
            answer.body.len()
        )
        .into_bytes();
        out.extend_from_slice(&answer.body);
        if write_all(&stream, &out).await.is_err() {
            return;
        }
    }
}

/// The status of an answer: the head's `status` when it is one a server may answer
/// with a body (200–599 but 204, 205 and 304), else 200.
#[must_use]
pub fn status(requested: u64) -> u16 {
    match u16::try_from(requested) {
        Ok(s) if (200..600).contains(&s) && !matches!(s, 204 | 205 | 304) => s,
        _ => 200,
    }
}

/// The content type of an answer: the head's `content-type` when it is printable
/// ASCII, else `application/json`.
#[must_use]
pub fn content_type(requested: Option<&str>) -> &str {
    match requested {
        Some(ct) if ct.bytes().all(|b| (0x20..0x7f).contains(&b)) => ct,
        _ => "application/json",
    }
}

/// A long-lived V2 token answer to `POST /v2/auth` (an HS256 token valid ten years,
/// `expiresIn` 3600), so V2 calls get past authentication to the answer under test.
///
/// # Panics
///
/// When the token cannot be issued.
#[must_use]
pub fn easytransac_token_answer() -> Vec<u8> {
    use pay_signing::jwt::{JwtSecret, TokenClaims, issue_hs256};
    use secrecy::{ExposeSecret, SecretString};
    use std::time::{Duration, SystemTime};
    let secret =
        JwtSecret::from_secret_string(&SecretString::from("fuzz-jwt-secret")).expect("a secret");
    let now = SystemTime::now();
    let claims = TokenClaims::new("fuzz", now, now + Duration::from_secs(10 * 365 * 86_400))
        .expect("claims");
    let token = issue_hs256(&secret, &claims).expect("a token");
    format!(
        r#"{{"success":true,"date":"2025-01-01T00:00:00+00:00","data":{{"token":"{}","expiresIn":3600}}}}"#,
        token.expose_secret()
    )
    .into_bytes()
}

/// An Easytransac client of the loopback server: no retries (one input, one exchange),
/// 5 s per attempt.
///
/// # Panics
///
/// When the client cannot be built.
#[must_use]
pub fn easytransac_client() -> pay_easytransac::EasytransacClient {
    pay_easytransac::EasytransacClient::builder(crate::api_key())
        .base_url(server().url().to_owned())
        .retry_policy(pay_core::RetryPolicy::none())
        .attempt_timeout(std::time::Duration::from_secs(5))
        .build()
        .expect("a client")
}
