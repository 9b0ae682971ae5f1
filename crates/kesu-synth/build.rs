//! Turns `catalogue.toml` into the Rust literal behind `kesu_synth::CATALOGUE`.
//!
//! Generated at build time rather than parsed at start-up so that
//! `CATALOGUE` stays a `&'static [RootCause]` of `&'static str`s (its users
//! and its type are unchanged, nothing is leaked or locked), a malformed
//! catalogue fails the build instead of the first run, and no TOML parser is
//! linked into the library.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    cause: Vec<Cause>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Cause {
    id: String,
    name: String,
    class: String,
    quadrant: String,
    gap: String,
    subcategory: String,
    rural: bool,
    audience: String,
    templates: Vec<String>,
    demands: Vec<String>,
}

/// Official class labels (kesu_model::ComplaintClass::label) → variant.
const CLASSES: [(&str, &str); 5] = [
    ("供电服务", "SupplyService"),
    ("营业业务", "Business"),
    ("停送电", "Outage"),
    ("供电质量", "PowerQuality"),
    ("电网建设", "GridConstruction"),
];

/// Quadrant labels (kesu_model::Substantiation::label) → variant.
const QUADRANTS: [(&str, &str); 4] = [
    ("服务行为类", "ServiceBehaviour"),
    ("业务管理实质问题", "ManagementDefect"),
    ("非电力企业产权类", "NonUtilityProperty"),
    ("客户理解偏差", "Misunderstanding"),
];

fn lookup(table: &[(&str, &'static str)], what: &str, id: &str, value: &str) -> &'static str {
    table
        .iter()
        .find(|(label, _)| *label == value)
        .map(|(_, variant)| *variant)
        .unwrap_or_else(|| panic!("catalogue.toml: cause {id}: unknown {what} {value:?}"))
}

/// `hotline_forwarding` → `HotlineForwarding`. Gap ids are the snake_case
/// of `Gap`'s variants (src/catalogue.rs tests check `Gap::id` round-trips),
/// so an unknown gap id is a compile error naming the missing variant.
fn camel(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut cs = w.chars();
            cs.next()
                .map(|c| c.to_ascii_uppercase().to_string() + cs.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    let path = Path::new(&manifest).join("catalogue.toml");
    println!("cargo::rerun-if-changed={}", path.display());
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let file: File =
        toml::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()));

    let mut ids = BTreeSet::new();
    // `{:?}` of a str is a valid Rust string literal (quotes, backslashes
    // and control characters escaped; Chinese kept as is).
    let mut out = String::from("&[\n");
    for c in &file.cause {
        assert!(
            ids.insert(c.id.as_str()),
            "catalogue.toml: duplicate id {}",
            c.id
        );
        let class = lookup(&CLASSES, "class", &c.id, &c.class);
        let quadrant = lookup(&QUADRANTS, "quadrant", &c.id, &c.quadrant);
        let audience = match c.audience.as_str() {
            "residential" => "Residential",
            "commercial" => "Commercial",
            other => panic!("catalogue.toml: cause {}: unknown audience {other:?}", c.id),
        };
        let list = |xs: &[String]| {
            xs.iter()
                .map(|s| format!("{s:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        writeln!(
            out,
            "    RootCause {{ id: {:?}, name: {:?}, class: ComplaintClass::{class}, \
             quadrant: Substantiation::{quadrant}, gap: Gap::{}, subcategory: {:?}, \
             rural: {}, audience: Audience::{audience}, templates: &[{}], demands: &[{}] }},",
            c.id,
            c.name,
            camel(&c.gap),
            c.subcategory,
            c.rural,
            list(&c.templates),
            list(&c.demands),
        )
        .expect("writing to a String");
    }
    out.push(']');
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("catalogue.rs");
    std::fs::write(&dest, out).unwrap_or_else(|e| panic!("writing {}: {e}", dest.display()));
}
