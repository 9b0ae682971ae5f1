//! THIRD-PARTY-NOTICES.md lists every crate the `kesu` binary is built
//! from (normal dependencies of kesu-cli, all platforms, as locked in
//! Cargo.lock), the embedded font and jieba's dictionaries. It is generated
//! here from `cargo metadata`; the test fails when the committed file is
//! out of date. Update it with
//! `KESU_UPDATE_NOTICES=1 cargo test -p kesu-cli --test e2e notices`.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use crate::util::repo_root;

const HEADER: &str = "\
# Third-party notices

The `kesu` binary is built from the crates below (every platform's
dependencies, as locked in `Cargo.lock`) and embeds the font and the
dictionaries listed after them. Generated from `cargo metadata` by
`tests/e2e/notices.rs`; regenerate with
`KESU_UPDATE_NOTICES=1 cargo test -p kesu-cli --test e2e notices`.
";

const EMBEDDED: &str = "\
## Embedded data

| What | Licence | Source |
|---|---|---|
| Noto Sans CJK SC Regular, subset (`crates/kesu-chart/fonts/NotoSansCJKsc-Regular-subset.otf`, made by `make_subset.sh`) | OFL-1.1 (`crates/kesu-chart/fonts/OFL.txt`) | Debian `fonts-noto-cjk`, https://github.com/googlefonts/noto-cjk |
| jieba dictionaries `dict.txt`, `idf.txt`, `posseg.txt` (vendored jieba-rs, `vendor/jieba-rs/src/data`) | MIT (`vendor/jieba-rs/LICENSE`) | https://github.com/messense/jieba-rs, from https://github.com/fxsjy/jieba |
| OpenCC traditional→simplified tables (inside zhconv, feature `opencc-hans`) | Apache-2.0 | https://github.com/BYVoid/OpenCC |
";

/// Crates whose manifest licence is not what kesu compiles in (deny.toml
/// clarifies the same crates).
const CLARIFIED: [(&str, &str); 1] = [(
    "zhconv",
    "MIT OR Apache-2.0, tables Apache-2.0 (OpenCC; the manifest's GPL-2.0-or-later \
     covers the MediaWiki tables, which kesu does not enable)",
)];

fn field<'a>(v: &'a serde_json::Value, key: &str) -> &'a str {
    v.get(key).and_then(|x| x.as_str()).unwrap_or("")
}

/// The notices, from the locked dependency graph.
fn generate() -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(repo_root())
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata JSON");
    let packages: BTreeMap<&str, &serde_json::Value> = meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| (field(p, "id"), p))
        .collect();
    let nodes: BTreeMap<&str, &serde_json::Value> = meta["resolve"]["nodes"]
        .as_array()
        .expect("resolve")
        .iter()
        .map(|n| (field(n, "id"), n))
        .collect();
    let root = packages
        .values()
        .find(|p| field(p, "name") == "kesu-cli")
        .map(|p| field(p, "id"))
        .expect("kesu-cli in the workspace");
    // Normal (not dev, not build) dependencies reachable from kesu-cli.
    let mut seen = BTreeSet::new();
    let mut todo = vec![root];
    while let Some(id) = todo.pop() {
        if !seen.insert(id) {
            continue;
        }
        for dep in nodes[id]["deps"].as_array().into_iter().flatten() {
            let normal = dep["dep_kinds"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|k| k["kind"].is_null());
            if normal {
                todo.push(field(dep, "pkg"));
            }
        }
    }
    let mut rows: Vec<(String, String, String, String)> = seen
        .iter()
        .map(|id| packages[id])
        // kesu's own crates are not third-party.
        .filter(|p| !field(p, "name").starts_with("kesu-"))
        .map(|p| {
            (
                field(p, "name").to_owned(),
                field(p, "version").to_owned(),
                CLARIFIED
                    .iter()
                    .find(|(name, _)| *name == field(p, "name"))
                    .map_or(field(p, "license"), |(_, license)| license)
                    .to_owned(),
                field(p, "repository").to_owned(),
            )
        })
        .collect();
    rows.sort();
    let mut text = String::from(HEADER);
    text.push_str(&format!("\n## Crates ({})\n\n", rows.len()));
    text.push_str("| Crate | Version | Licence | Repository |\n|---|---|---|---|\n");
    for (name, version, license, repo) in rows {
        text.push_str(&format!("| {name} | {version} | {license} | {repo} |\n"));
    }
    text.push('\n');
    text.push_str(EMBEDDED);
    text
}

#[test]
fn third_party_notices_are_up_to_date() {
    let path = repo_root().join("THIRD-PARTY-NOTICES.md");
    let fresh = generate();
    if std::env::var_os("KESU_UPDATE_NOTICES").is_some() {
        std::fs::write(&path, &fresh).expect("writing THIRD-PARTY-NOTICES.md");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "THIRD-PARTY-NOTICES.md is out of date: run \
         `KESU_UPDATE_NOTICES=1 cargo test -p kesu-cli --test e2e notices` and commit it"
    );
}

#[test]
fn notices_name_the_font_jieba_and_zhconv_without_gpl_tables() {
    let text = generate();
    for needle in ["| jieba-rs |", "| plotters |", "OFL-1.1", "OpenCC"] {
        assert!(text.contains(needle), "{needle}");
    }
    let zhconv = text
        .lines()
        .find(|l| l.starts_with("| zhconv |"))
        .expect("zhconv listed");
    assert!(
        zhconv.contains("MIT OR Apache-2.0, tables Apache-2.0"),
        "{zhconv}"
    );
}
