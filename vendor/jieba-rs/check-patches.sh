#!/usr/bin/env bash
# Checks that vendor/jieba-rs differs from the jieba-rs release it was copied
# from in exactly the files PATCHES.md lists (its "patches:begin/end" block),
# so that an edit no one wrote down, or a listed patch that went away, fails CI.
#
# It fetches the published crate with cargo itself (a throwaway project that
# depends on `jieba-rs = "=VERSION"` and `cargo fetch`; cargo checks the
# crate's checksum), then compares file lists and contents. It checks *which*
# files differ; what the differences are is PATCHES.md's prose and review.
#
# Usage: vendor/jieba-rs/check-patches.sh   (from anywhere; needs network or a
# cargo registry cache that already holds the crate)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$here/Cargo.toml" | head -n 1)"
[ -n "$version" ] || { echo "check-patches: no version in $here/Cargo.toml" >&2; exit 2; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# The published crate, through cargo's own download and checksum check.
mkdir -p "$tmp/fetch/src"
: > "$tmp/fetch/src/lib.rs"
cat > "$tmp/fetch/Cargo.toml" <<TOML
[package]
name = "kesu-jieba-pristine"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
jieba-rs = { version = "=$version", default-features = false }

[workspace]
TOML
CARGO_TARGET_DIR="$tmp/target" cargo fetch --quiet --manifest-path "$tmp/fetch/Cargo.toml"
manifest="$(cargo metadata --format-version 1 --manifest-path "$tmp/fetch/Cargo.toml" \
  | grep -o "\"manifest_path\":\"[^\"]*/jieba-rs-$version/Cargo.toml\"" | head -n 1 \
  | sed 's/^"manifest_path":"//; s/"$//')"
pristine="$(dirname "$manifest")"
[ -f "$pristine/src/lib.rs" ] || { echo "check-patches: jieba-rs $version not found after cargo fetch" >&2; exit 2; }

# File lists; `.cargo-ok` is cargo's unpack marker, not part of the crate,
# and target/ appears when the vendored tests were run in place.
list() { (cd "$1" && find . -path ./target -prune -o -type f -print | sed 's|^\./||' | grep -vx '.cargo-ok' | LC_ALL=C sort); }
list "$pristine" > "$tmp/pristine.txt"
list "$here" > "$tmp/vendored.txt"

{
  LC_ALL=C comm -13 "$tmp/pristine.txt" "$tmp/vendored.txt" | sed 's/^/added /'
  LC_ALL=C comm -23 "$tmp/pristine.txt" "$tmp/vendored.txt" | sed 's/^/removed /'
  LC_ALL=C comm -12 "$tmp/pristine.txt" "$tmp/vendored.txt" | while IFS= read -r f; do
    cmp -s "$pristine/$f" "$here/$f" || echo "changed $f"
  done
} | LC_ALL=C sort -k2 > "$tmp/actual.txt"

sed -n '/<!-- patches:begin -->/,/<!-- patches:end -->/p' "$here/PATCHES.md" \
  | grep -E '^(added|changed|removed) ' | awk '{ print $1, $2 }' | LC_ALL=C sort -k2 > "$tmp/listed.txt"
[ -s "$tmp/listed.txt" ] || { echo "check-patches: no patches:begin/end list in PATCHES.md" >&2; exit 2; }

if diff -u --label 'listed in PATCHES.md' --label "vendor/jieba-rs vs crates.io jieba-rs $version" \
     "$tmp/listed.txt" "$tmp/actual.txt"; then
  echo "check-patches: vendor/jieba-rs differs from jieba-rs $version exactly as PATCHES.md lists ($(wc -l < "$tmp/actual.txt") files)"
else
  echo "check-patches: the differences above are not the ones PATCHES.md lists; update the copy or the list" >&2
  exit 1
fi
