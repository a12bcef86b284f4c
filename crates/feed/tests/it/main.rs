//! The crate's single integration-test binary (one link step, as in ripgrep).
//!
//! * `feeds_dev`: the feeds-dev dataset and its floors (skips without the shared data);
//! * `no_panic`: randomised and hostile inputs, no panics, no unsafe output, bounded time;
//! * `proptest_no_panic`: proptest over arbitrary bytes and strings inside feed skeletons;
//! * `real_world`: small fixtures shaped like real feeds (`tests/fixtures/`).
mod feeds_dev;
mod no_panic;
mod proptest_no_panic;
mod real_world;
