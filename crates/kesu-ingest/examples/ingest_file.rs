//! Times `kesu_ingest::ingest` on real files, for reports/bench/ingest.md:
//! `cargo run --release -p kesu-ingest --example ingest_file -- FILE...`
//! (each file is read once untimed first, so the page cache serves it).

use std::path::PathBuf;
use std::time::Instant;

use kesu_ingest::{IngestOptions, ingest};

#[allow(clippy::print_stdout)]
fn main() {
    let opts = IngestOptions::default();
    for arg in std::env::args().skip(1) {
        let path = PathBuf::from(&arg);
        let bytes = std::fs::read(&path).expect("readable file").len() as f64;
        let mut best = f64::MAX;
        let mut batch = None;
        for _ in 0..3 {
            let start = Instant::now();
            let b = ingest(std::slice::from_ref(&path), &opts, &|_| {}).expect("ingest");
            best = best.min(start.elapsed().as_secs_f64());
            batch = Some(b);
        }
        let stats = batch.expect("three runs").stats;
        assert_eq!(stats.read, stats.accepted + stats.rejected);
        println!(
            "{arg}: {:.1} MB in {:.3} s = {:.0} MB/s, {:.0} rows/s ({} read, {} accepted, {} rejected, encoding {})",
            bytes / 1e6,
            best,
            bytes / 1e6 / best,
            stats.read as f64 / best,
            stats.read,
            stats.accepted,
            stats.rejected,
            stats.files[0].encoding,
        );
    }
}
