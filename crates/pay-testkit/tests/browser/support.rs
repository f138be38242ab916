//! The browser-test harness: headless Chromium through chromedriver, and a merchant
//! that records the browser's return.
//!
//! # API
//! - [`browser()`] → `Option<Browser>`: `None` (with a skip message on stderr) only when
//!   Chromium or chromedriver is missing and `CI` is unset; under `CI` a missing
//!   browser panics. The binaries are `/usr/bin/chromium` and `/usr/bin/chromedriver`
//!   (Debian's `chromium` and `chromium-driver`), or `$CHROMIUM` / `$CHROMEDRIVER`, or
//!   the first `chromium`, `chromium-browser` / `chromedriver` on `PATH`.
//! - `Browser::session(test_name).await` → [`Session`]: a fresh headless Chromium (its
//!   own `--user-data-dir`), at most two at once in the process. One chromedriver serves
//!   the whole test process and goes away with it.
//! - [`Session`]: `goto(url)`, `by_testid(id)` (waits up to 10 s for it),
//!   `fill(testid, text)`, `click(testid)` (a button or link that loads a new page;
//!   waits until the old page is gone),
//!   `check(testid)` (a checkbox), `current_url()`, `text()` (the page's visible text),
//!   `source()`, `has_testid(id)`, `screenshot(step)` (a PNG under
//!   `$CARGO_TARGET_TMPDIR/browser-screenshots/<test>-<nn>-<step>.png`), and `close()`
//!   (call it at the end; dropping without it still ends the session).
//! - [`Merchant::start().await`]: a tiny merchant site on `127.0.0.1:0` recording every
//!   request (`requests()`, `wait_for(path_prefix)`), answering each with a page
//!   `data-testid="merchant-page"`. Use `merchant.url("/return")` as `ReturnUrl` and
//!   `merchant.url("/notify")` as the notification URL.
//!
//! Everything stays on loopback.

use std::net::{SocketAddr, TcpListener as StdListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, SemaphorePermit};

/// How many browsers may run at once in the test process.
static SLOTS: Semaphore = Semaphore::const_new(2);

/// The one chromedriver of the test process.
static DRIVER: OnceLock<Driver> = OnceLock::new();

/// How long a page element is waited for.
const WAIT: Duration = Duration::from_secs(10);

/// Chromium's flags: headless, no sandbox (CI runs as root), and nothing that reaches
/// the network on its own.
const CHROMIUM_ARGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=800,1000",
];

/// The installed browser: Chromium and chromedriver.
#[derive(Debug, Clone)]
pub(crate) struct Browser {
    chromium: PathBuf,
    chromedriver: PathBuf,
}

/// Finds Chromium and chromedriver. `None`, with a message, only outside CI.
///
/// # Panics
/// Under `CI` when either is missing.
pub(crate) fn browser() -> Option<Browser> {
    let chromium = find(
        "CHROMIUM",
        &["/usr/bin/chromium"],
        &["chromium", "chromium-browser"],
    );
    let chromedriver = find(
        "CHROMEDRIVER",
        &["/usr/bin/chromedriver"],
        &["chromedriver"],
    );
    match (chromium, chromedriver) {
        (Some(chromium), Some(chromedriver)) => Some(Browser {
            chromium,
            chromedriver,
        }),
        (chromium, driver) => {
            let missing = match (chromium.is_none(), driver.is_none()) {
                (true, true) => "chromium and chromedriver are",
                (true, false) => "chromium is",
                _ => "chromedriver is",
            };
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but {missing} not installed: install Debian's `chromium` and \
                 `chromium-driver` (.ci/run does)"
            );
            // The skip message is the point: a test binary's stderr is where it belongs.
            #[allow(clippy::print_stderr)]
            {
                eprintln!(
                    "SKIPPED browser test: {missing} not installed (install Debian's `chromium` \
                 and `chromium-driver`, or set CHROMIUM / CHROMEDRIVER); under CI this fails"
                );
            }
            None
        }
    }
}

fn find(variable: &str, fixed: &[&str], names: &[&str]) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(variable) {
        let path = PathBuf::from(path);
        return path.is_file().then_some(path);
    }
    if let Some(path) = fixed.iter().map(PathBuf::from).find(|p| p.is_file()) {
        return Some(path);
    }
    let dirs = std::env::var_os("PATH")?;
    std::env::split_paths(&dirs)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|p| p.is_file())
}

/// chromedriver, started through a shell that kills its whole process group (the
/// driver and every Chromium) when this test process exits and its stdin closes.
struct Driver {
    url: String,
    // Held open for the process's life; its end at exit stops the driver.
    _guard: Mutex<Child>,
}

impl Driver {
    fn start(chromedriver: &Path) -> Driver {
        let port = free_port();
        let script = format!(
            "'{}' --port={port} --allowed-ips=127.0.0.1 >/dev/null 2>&1 & read _; kill -TERM 0",
            chromedriver.display()
        );
        let child = {
            use std::os::unix::process::CommandExt;
            Command::new("sh")
                .arg("-c")
                .arg(script)
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .process_group(0)
                .spawn()
                .expect("start chromedriver")
        };
        Driver {
            url: format!("http://127.0.0.1:{port}"),
            _guard: Mutex::new(child),
        }
    }
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A unique number per session in this process (profile directories, screenshots).
static NEXT: AtomicUsize = AtomicUsize::new(0);

fn out_dir(kind: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(kind);
    std::fs::create_dir_all(&dir).expect("create the test output directory");
    dir
}

impl Browser {
    /// A new headless Chromium session for the test `test`; waits while two are open.
    ///
    /// # Panics
    /// When chromedriver or Chromium does not start within 30 seconds.
    pub(crate) async fn session(&self, test: &str) -> Session {
        let permit = SLOTS
            .acquire()
            .await
            .expect("the semaphore is never closed");
        let driver = DRIVER.get_or_init(|| Driver::start(&self.chromedriver));
        let profile = out_dir("browser-profiles").join(format!(
            "{test}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|&a| a.to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let mut capabilities = Capabilities::new();
        capabilities.insert("browserName".to_owned(), json!("chrome"));
        capabilities.insert(
            "goog:chromeOptions".to_owned(),
            json!({"binary": self.chromium.display().to_string(), "args": args}),
        );
        let mut last_error = String::new();
        for _ in 0..60 {
            let connected = ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&driver.url)
                .await;
            match connected {
                Ok(client) => {
                    return Session {
                        client: Some(client),
                        test: test.to_owned(),
                        shots: 0,
                        profile,
                        _permit: permit,
                    };
                }
                Err(err) => last_error = err.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        panic!(
            "no WebDriver session from chromedriver at {}: {last_error}",
            driver.url
        );
    }
}

/// One browser session (one Chromium), for one test.
#[derive(Debug)]
pub(crate) struct Session {
    client: Option<Client>,
    test: String,
    shots: u32,
    profile: PathBuf,
    _permit: SemaphorePermit<'static>,
}

impl Session {
    fn client(&self) -> &Client {
        self.client.as_ref().expect("the session is open")
    }

    /// Opens `url`.
    pub(crate) async fn goto(&self, url: &str) {
        self.client().goto(url).await.expect("navigate");
    }

    /// The element with `data-testid="{testid}"`, waited for up to 10 seconds.
    pub(crate) async fn by_testid(&self, testid: &str) -> Element {
        let selector = format!("[data-testid=\"{testid}\"]");
        match self
            .client()
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(&selector))
            .await
        {
            Ok(element) => element,
            Err(err) => {
                let url = self.current_url().await;
                let text = self.text().await;
                panic!("no [data-testid={testid}] at {url}: {err}\npage text:\n{text}")
            }
        }
    }

    /// Whether the page has an element with `data-testid="{testid}"` now.
    pub(crate) async fn has_testid(&self, testid: &str) -> bool {
        let selector = format!("[data-testid=\"{testid}\"]");
        self.client()
            .find_all(Locator::Css(&selector))
            .await
            .is_ok_and(|found| !found.is_empty())
    }

    /// Types `text` into the field `testid` (after clearing it).
    pub(crate) async fn fill(&self, testid: &str, text: &str) {
        let field = self.by_testid(testid).await;
        field.clear().await.expect("clear the field");
        field.send_keys(text).await.expect("type into the field");
    }

    /// Ticks the checkbox `testid` (with the space bar, as a keyboard user would).
    pub(crate) async fn check(&self, testid: &str) {
        let field = self.by_testid(testid).await;
        if field.is_selected().await.expect("read the checkbox") {
            return;
        }
        field.send_keys(" ").await.expect("tick the checkbox");
        assert!(
            field.is_selected().await.expect("read the checkbox"),
            "{testid} is not ticked"
        );
    }

    /// Clicks the button or link `testid`, which loads a new page, and waits (up to
    /// 10 s) until the old page is gone.
    pub(crate) async fn click(&self, testid: &str) {
        let old = self
            .client()
            .find(Locator::Css("html"))
            .await
            .expect("a page is open");
        self.by_testid(testid).await.click().await.expect("click");
        for _ in 0..200 {
            // The old document's element goes stale once the next page replaced it.
            if old.tag_name().await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("clicking {testid} loaded no new page");
    }

    /// The address the browser shows.
    pub(crate) async fn current_url(&self) -> String {
        self.client()
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default()
    }

    /// The page's visible text.
    pub(crate) async fn text(&self) -> String {
        match self.client().find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// The page's HTML as the browser holds it.
    pub(crate) async fn source(&self) -> String {
        self.client().source().await.unwrap_or_default()
    }

    /// Saves a screenshot of the page as
    /// `$CARGO_TARGET_TMPDIR/browser-screenshots/<test>-<nn>-<step>.png`; returns its path.
    pub(crate) async fn screenshot(&mut self, step: &str) -> PathBuf {
        self.shots += 1;
        let png = self.client().screenshot().await.expect("take a screenshot");
        assert!(png.starts_with(b"\x89PNG"), "a screenshot is a PNG");
        let path = out_dir("browser-screenshots")
            .join(format!("{}-{:02}-{step}.png", self.test, self.shots));
        std::fs::write(&path, png).expect("save the screenshot");
        path
    }

    /// Ends the session: Chromium quits and its profile directory is removed.
    pub(crate) async fn close(mut self) {
        if let Some(client) = self.client.take() {
            let _ = client.close().await;
        }
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// One request the merchant received.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    /// `GET`, `POST`…
    pub(crate) method: String,
    /// The path and query, as requested.
    pub(crate) target: String,
    /// Every header, names in lower case.
    pub(crate) headers: Vec<(String, String)>,
    /// The body bytes.
    pub(crate) body: Vec<u8>,
}

impl Received {
    /// The path, without the query.
    pub(crate) fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    /// The query's parameters, decoded.
    pub(crate) fn query(&self) -> Vec<(String, String)> {
        self.target
            .split_once('?')
            .map(|(_, q)| decode_form(q))
            .unwrap_or_default()
    }

    /// The body's form fields, decoded.
    pub(crate) fn form(&self) -> Vec<(String, String)> {
        decode_form(std::str::from_utf8(&self.body).unwrap_or_default())
    }

    /// The first form field (or, for a `GET`, query parameter) called `name`.
    pub(crate) fn field(&self, name: &str) -> Option<String> {
        let fields = if self.method == "GET" {
            self.query()
        } else {
            self.form()
        };
        fields.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

/// Decodes `application/x-www-form-urlencoded` text.
pub(crate) fn decode_form(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(name), percent_decode(value))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A merchant's site on loopback: records every request, answers with a small page.
#[derive(Debug, Clone)]
pub(crate) struct Merchant {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Merchant {
    /// Starts it on `127.0.0.1:0`, serving on the test's runtime.
    ///
    /// # Panics
    /// When it cannot bind.
    pub(crate) async fn start() -> Merchant {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local address");
        let received: Arc<Mutex<Vec<Received>>> = Arc::default();
        let log = Arc::clone(&received);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let log = Arc::clone(&log);
                tokio::spawn(async move {
                    let service = service_fn(move |request: Request<Incoming>| {
                        let log = Arc::clone(&log);
                        async move { record(&log, request).await }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Merchant { addr, received }
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Every request received, in order.
    pub(crate) fn requests(&self) -> Vec<Received> {
        self.received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The requests whose path starts with `prefix`.
    pub(crate) fn at(&self, prefix: &str) -> Vec<Received> {
        self.requests()
            .into_iter()
            .filter(|r| r.path().starts_with(prefix))
            .collect()
    }

    /// Waits (up to 10 s) until `count` requests reached paths starting with `prefix`,
    /// and returns them.
    ///
    /// # Panics
    /// When they do not arrive.
    pub(crate) async fn wait_for(&self, prefix: &str, count: usize) -> Vec<Received> {
        for _ in 0..200 {
            let found = self.at(prefix);
            if found.len() >= count {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "expected {count} request(s) at {prefix}, got {:?}",
            self.at(prefix)
                .iter()
                .map(|r| r.target.clone())
                .collect::<Vec<_>>()
        );
    }
}

async fn record(
    log: &Mutex<Vec<Received>>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let (parts, body) = request.into_parts();
    let body = body.collect().await?.to_bytes().to_vec();
    let target = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let headers = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    log.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(Received {
            method: parts.method.as_str().to_owned(),
            target,
            headers,
            body,
        });
    let page = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
                <title>Merchant</title></head><body><main data-testid=\"merchant-page\">\
                <h1>Back at the merchant</h1></main></body></html>";
    Ok(Response::builder()
        .header("content-type", "text/html; charset=utf-8")
        .body(Full::new(Bytes::from_static(page.as_bytes())))
        .expect("a valid response"))
}
