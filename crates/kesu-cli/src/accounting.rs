//! Row accounting and the reject gate, shared by every command that reads
//! exports (`kesu ingest`, `kesu index`, `kesu analyze`): one option, one
//! summary line, one JSON shape and one gate, so that the three commands
//! cannot disagree about what happened to a row.
//!
//! Rows read = accepted + rejected; a duplicate (a later row with the same
//! 工单编号) is accepted and replaces the earlier order, so distinct orders =
//! accepted − duplicates, and read = orders + rejected + duplicates.

use std::io::Write;
use std::path::Path;

use kesu_ingest::IngestStats;
use kesu_model::Reject;
use serde::Serialize;

use crate::Status;

/// The reject gate (`--max-reject-rate`).
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct RejectGateArgs {
    /// Largest acceptable share of rejected rows, 0–1; above it kesu exits 1.
    ///
    /// The outputs are written all the same, so that the rejects can be
    /// inspected. The default, 0.05, tolerates the odd broken row of a real
    /// export but stops a run whose encoding or column layout is wrong. Use 1
    /// to never fail.
    #[arg(long, value_name = "RATE", default_value_t = 0.05, value_parser = parse_rate)]
    pub max_reject_rate: f64,
}

fn parse_rate(s: &str) -> Result<f64, String> {
    let rate: f64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    if (0.0..=1.0).contains(&rate) {
        Ok(rate)
    } else {
        Err(format!("{s} is not between 0 and 1"))
    }
}

/// What every reading command reports about its rows, in its summary and at
/// the top level of its `--json` object.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Accounting {
    /// Rows (records) read from every file.
    pub read: u64,
    /// Rows that became an order (duplicates included).
    pub accepted: u64,
    /// Rows that could not be read; every one is in the rejects file.
    pub rejected: u64,
    /// Accepted rows replaced by a later one with the same work order id.
    pub duplicates: u64,
    /// Distinct work orders.
    pub orders: u64,
    /// rejected / read (0 when nothing was read).
    pub reject_rate: f64,
    /// The gate's threshold.
    pub max_reject_rate: f64,
    /// Whether reject_rate ≤ max_reject_rate.
    pub gate_passed: bool,
}

impl Accounting {
    /// The accounting of one ingest, judged by the gate.
    pub fn new(stats: &IngestStats, gate: RejectGateArgs) -> Accounting {
        let reject_rate = if stats.read == 0 {
            0.0
        } else {
            stats.rejected as f64 / stats.read as f64
        };
        Accounting {
            read: stats.read,
            accepted: stats.accepted,
            rejected: stats.rejected,
            duplicates: stats.duplicates,
            orders: stats.orders,
            reject_rate,
            max_reject_rate: gate.max_reject_rate,
            gate_passed: reject_rate <= gate.max_reject_rate,
        }
    }

    /// The fields as a JSON object, to merge into a command's `--json` output.
    pub fn json_fields(&self) -> serde_json::Map<String, serde_json::Value> {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(map)) => map,
            // A struct of numbers and a bool always serialises to an object.
            _ => serde_json::Map::new(),
        }
    }

    /// The human summary: one line for the whole input, one per file.
    pub fn write_summary(
        &self,
        out: &mut impl Write,
        stats: &IngestStats,
        rejects_path: &Path,
    ) -> std::io::Result<()> {
        let files = stats.files.len();
        writeln!(
            out,
            "read {} rows from {} file{}: {} accepted ({} duplicate{} replaced), {} rejected → {}",
            thousands(self.read),
            files,
            if files == 1 { "" } else { "s" },
            thousands(self.accepted),
            thousands(self.duplicates),
            if self.duplicates == 1 { "" } else { "s" },
            thousands(self.rejected),
            rejects_path.display(),
        )?;
        for f in &stats.files {
            writeln!(
                out,
                "  {} ({}, {}): {} read, {} accepted, {} rejected",
                f.file,
                f.format,
                f.encoding,
                thousands(f.read),
                thousands(f.accepted),
                thousands(f.rejected)
            )?;
        }
        Ok(())
    }

    /// The gate: `Done` when it passed; otherwise says so on stderr, naming
    /// the rate, the threshold and the rejects file, and returns `GateFailed`.
    pub fn gate(&self, rejects: &[Reject], rejects_path: &Path) -> std::io::Result<Status> {
        if self.gate_passed {
            return Ok(Status::Done);
        }
        let mut stderr = std::io::stderr().lock();
        writeln!(
            stderr,
            "kesu: reject gate failed: {:.1}% of {} rows rejected, more than --max-reject-rate {} ({:.1}%); see {}",
            self.reject_rate * 100.0,
            thousands(self.read),
            self.max_reject_rate,
            self.max_reject_rate * 100.0,
            display_reasons(rejects, rejects_path),
        )?;
        Ok(Status::GateFailed)
    }
}

/// The rejects file, with the commonest reasons, to point at the likely cause
/// (a wrong --encoding shows up as a wall of "undecodable bytes").
fn display_reasons(rejects: &[Reject], path: &Path) -> String {
    let mut counts: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    for r in rejects {
        let reason = r.reason.to_string();
        // Group by the reason's kind, not by the value it quotes.
        let kind = reason
            .split([':', '"'])
            .next()
            .unwrap_or("")
            .trim()
            .to_owned();
        *counts.entry(kind).or_default() += 1;
    }
    let mut top: Vec<(String, u64)> = counts.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let listed: Vec<String> = top
        .iter()
        .take(3)
        .map(|(k, n)| format!("{n}× {k}"))
        .collect();
    format!("{} ({})", path.display(), listed.join(", "))
}

/// 1234567 → "1,234,567".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separate() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    #[test]
    fn rates_are_checked() {
        assert_eq!(parse_rate("0.05"), Ok(0.05));
        assert_eq!(parse_rate("1"), Ok(1.0));
        assert!(parse_rate("1.5").is_err());
        assert!(parse_rate("-0.1").is_err());
        assert!(parse_rate("x").is_err());
    }

    #[test]
    fn the_gate_compares_rejected_over_read_with_the_threshold() {
        let stats = IngestStats {
            read: 20,
            accepted: 18,
            rejected: 2,
            duplicates: 3,
            orders: 15,
            files: Vec::new(),
        };
        let at = |rate| {
            Accounting::new(
                &stats,
                RejectGateArgs {
                    max_reject_rate: rate,
                },
            )
        };
        assert_eq!(at(0.1).reject_rate, 0.1);
        assert!(at(0.1).gate_passed, "equal to the threshold passes");
        assert!(!at(0.05).gate_passed);
        let a = at(0.05);
        assert_eq!(a.read, a.orders + a.rejected + a.duplicates);
        let json = a.json_fields();
        for key in [
            "read",
            "accepted",
            "rejected",
            "duplicates",
            "orders",
            "reject_rate",
            "max_reject_rate",
            "gate_passed",
        ] {
            assert!(json.contains_key(key), "{key}");
        }
        let empty = Accounting::new(
            &IngestStats::default(),
            RejectGateArgs {
                max_reject_rate: 0.0,
            },
        );
        assert!(empty.gate_passed, "nothing read, nothing rejected");
    }
}
