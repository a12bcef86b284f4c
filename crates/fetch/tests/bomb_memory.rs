//! A decompression bomb must not cost more memory than the body limit: measured on the
//! process's peak resident set, so this test lives alone in its own binary (tests in one
//! binary run in parallel and would blur the number).
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![cfg(target_os = "linux")]

use std::io::Write;
use std::time::Duration;

use axum::response::Response;
use axum::routing::get;
use axum::Router;
use herald_fetch::{FetchError, FetchRequest, FetcherBuilder, Url};

/// Peak resident set size of this process, in KiB.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[tokio::test]
async fn gzip_bomb_costs_no_more_than_the_limit() {
    // 256 MiB of zeros, about 256 KiB compressed, built without holding the plain text.
    let bomb = {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..256 {
            enc.write_all(&zeros).unwrap();
        }
        enc.finish().unwrap()
    };
    let app = Router::new().route(
        "/bomb",
        get(move || {
            let bomb = bomb.clone();
            async move {
                Response::builder()
                    .header("content-encoding", "gzip")
                    .body(axum::body::Body::from(bomb))
                    .unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let f = FetcherBuilder::new()
        .allow_private_host("127.0.0.1")
        .per_host_min_interval(Duration::ZERO)
        .max_body_bytes(2 * 1024 * 1024)
        .build()
        .unwrap();
    let before = peak_rss_kib();
    let url = Url::parse(&format!("http://127.0.0.1:{port}/bomb")).unwrap();
    let err = f.fetch(&FetchRequest::new(url)).await.unwrap_err();
    assert!(matches!(err, FetchError::TooLarge { .. }), "{err}");
    let grown_mib = (peak_rss_kib().saturating_sub(before)) / 1024;
    assert!(
        grown_mib < 32,
        "peak memory grew by {grown_mib} MiB for a 2 MiB limit"
    );
}
