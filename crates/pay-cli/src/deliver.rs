//! Posting a notification to the developer's app: plain HTTP/1.1 to a loopback address
//! only (the app under development), with a timeout, reporting the answer and the time it
//! took.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// A URL `pay` may send to: `http://` on a loopback address.
#[derive(Debug, Clone)]
pub(crate) struct LocalUrl {
    addr: SocketAddr,
    host: String,
    target: String,
    text: String,
}

impl LocalUrl {
    /// Reads `url`.
    ///
    /// # Errors
    /// Not `http://`, credentials in the URL (`user:password@`, never echoed), or a host
    /// that is not `localhost`, `127.x.x.x` or `[::1]`.
    pub(crate) fn parse(url: &str) -> Result<Self, String> {
        if has_userinfo(url) {
            return Err(
                "the URL carries credentials (`user:password@` before the host); \
                 pay never sends credentials in a URL: give it without them"
                    .to_owned(),
            );
        }
        let rest = url.strip_prefix("http://").ok_or_else(|| {
            format!(
                "`{url}`: only http:// URLs on a loopback address (your local app) are accepted"
            )
        })?;
        let (authority, target) = match rest.find('/') {
            Some(at) => (&rest[..at], &rest[at..]),
            None => (rest, "/"),
        };
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) if !host.ends_with(':') || host.starts_with('[') => (
                host,
                port.parse::<u16>()
                    .map_err(|_| format!("`{url}`: `{port}` is not a port number"))?,
            ),
            _ => (authority, 80),
        };
        let ip: IpAddr = if host.eq_ignore_ascii_case("localhost") {
            IpAddr::from([127, 0, 0, 1])
        } else {
            host.trim_start_matches('[')
                .trim_end_matches(']')
                .parse()
                .map_err(|_| format!("`{url}`: `{host}` is not a loopback address"))?
        };
        if !ip.is_loopback() {
            return Err(format!(
                "`{url}`: `{host}` is not a loopback address; pay sends notifications only to \
                 an app on this machine (127.0.0.1, [::1] or localhost)"
            ));
        }
        Ok(Self {
            addr: SocketAddr::new(ip, port),
            host: authority.to_owned(),
            target: target.to_owned(),
            text: url.to_owned(),
        })
    }

    /// The URL as given.
    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }
}

/// Whether `url` has a `user[:password]@` part before its host (only its authority, the
/// part before the first `/`, `?` or `#` after the scheme, is looked at).
pub(crate) fn has_userinfo(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    authority.contains('@')
}

/// Why no answer came back.
#[derive(Debug, Clone)]
pub(crate) enum NoAnswer {
    /// The connection was refused (or failed otherwise): nothing listens on that port.
    Refused(String),
    /// No connection within the timeout.
    ConnectTimeout(Duration),
    /// Connected and sent, but no answer within the timeout: the app is stuck or slow.
    Timeout(Duration),
    /// Connected, but the connection broke or the answer was not HTTP.
    Broken(String),
}

impl NoAnswer {
    /// A short name for scripts: `refused`, `connect_timeout`, `timeout`, `broken`.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            NoAnswer::Refused(_) => "refused",
            NoAnswer::ConnectTimeout(_) => "connect_timeout",
            NoAnswer::Timeout(_) => "timeout",
            NoAnswer::Broken(_) => "broken",
        }
    }
}

impl std::fmt::Display for NoAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NoAnswer::Refused(reason) | NoAnswer::Broken(reason) => f.write_str(reason),
            NoAnswer::ConnectTimeout(after) => {
                write!(f, "no connection within {} s", after.as_secs_f64())
            }
            NoAnswer::Timeout(after) => write!(
                f,
                "connected and sent, but no answer within {} s",
                after.as_secs_f64()
            ),
        }
    }
}

/// What the app answered.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    /// The status code.
    pub(crate) status: u16,
    /// The body, as text (lossy).
    pub(crate) body: String,
    /// From the first byte sent to the whole answer read.
    pub(crate) elapsed: Duration,
}

/// POSTs `body` with `headers` to `url` and waits at most `timeout` for the answer
/// (connection included).
///
/// # Errors
/// No connection, no answer in time, or an answer that is not HTTP, told apart.
pub(crate) async fn post(
    url: &LocalUrl,
    headers: &[(String, String)],
    body: &[u8],
    timeout: Duration,
) -> Result<Answer, NoAnswer> {
    let started = Instant::now();
    let stream = match tokio::time::timeout(timeout, TcpStream::connect(url.addr)).await {
        Err(_) => return Err(NoAnswer::ConnectTimeout(timeout)),
        Ok(Err(e)) => {
            return Err(NoAnswer::Refused(format!(
                "cannot connect to {}: {e}",
                url.addr
            )));
        }
        Ok(Ok(stream)) => stream,
    };
    let exchange = async {
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake::<_, Full<Bytes>>(TokioIo::new(stream))
                .await
                .map_err(|e| {
                    NoAnswer::Broken(format!("HTTP handshake with {} failed: {e}", url.addr))
                })?;
        let driver = tokio::spawn(connection);
        let mut request = hyper::Request::post(url.target.as_str())
            .header("host", url.host.as_str())
            .header("user-agent", concat!("pay-cli/", env!("CARGO_PKG_VERSION")));
        for (name, value) in headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let request = request
            .body(Full::new(Bytes::copy_from_slice(body)))
            .map_err(|e| NoAnswer::Broken(format!("cannot build the request: {e}")))?;
        let response = sender.send_request(request).await.map_err(|e| {
            NoAnswer::Broken(format!(
                "the app closed the connection without an HTTP answer: {e}"
            ))
        })?;
        let status = response.status().as_u16();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|e| NoAnswer::Broken(format!("the answer's body was cut: {e}")))?
            .to_bytes();
        driver.abort();
        Ok(Answer {
            status,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            elapsed: started.elapsed(),
        })
    };
    let left = timeout.saturating_sub(started.elapsed());
    tokio::time::timeout(left, exchange)
        .await
        .map_err(|_| NoAnswer::Timeout(timeout))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_http_urls_are_accepted() {
        let ok = LocalUrl::parse("http://127.0.0.1:3000/hooks/easytransac").expect("loopback");
        assert_eq!(ok.addr, "127.0.0.1:3000".parse().expect("addr"));
        assert_eq!(ok.target, "/hooks/easytransac");
        let ok = LocalUrl::parse("http://localhost:8080").expect("localhost");
        assert_eq!(ok.target, "/");
        assert!(LocalUrl::parse("http://[::1]:9/x").is_ok());
        for bad in [
            "https://127.0.0.1/x",
            "http://example.org/x",
            "http://10.0.0.1:80/x",
            "http://127.0.0.1:port/x",
            "ftp://127.0.0.1/",
        ] {
            assert!(LocalUrl::parse(bad).is_err(), "{bad}");
        }
        let err = LocalUrl::parse("http://user:pw-secret@127.0.0.1:3000/x").expect_err("userinfo");
        assert!(
            err.contains("credentials") && !err.contains("pw-secret"),
            "{err}"
        );
        assert!(has_userinfo("https://a@b.example/x"));
        assert!(!has_userinfo("http://127.0.0.1/x?to=a@b"));
    }
}
