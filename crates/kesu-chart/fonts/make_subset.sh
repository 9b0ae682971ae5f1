#!/usr/bin/env bash
# Rebuilds the CJK font embedded in kesu-chart: Noto Sans CJK SC Regular
# (SIL Open Font License 1.1) from Debian's fonts-noto-cjk, subset with
# fonttools' pyftsubset to GB2312, ASCII, common punctuation and every
# non-ASCII character of kesu's pipelines (taxonomy, dictionaries, column
# table) and sources (chart titles, column names).
#
# Needs: apt-get (Debian/Ubuntu, after `apt-get update`), dpkg-deb, python3
# with fonttools (`pip install fonttools`). Run from anywhere:
#   bash crates/kesu-chart/fonts/make_subset.sh
# The package is downloaded and unpacked into a temporary folder, not
# installed, so the machine gains no system font.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$work" && apt-get download fonts-noto-cjk >/dev/null)
dpkg-deb -x "$work"/fonts-noto-cjk_*.deb "$work/pkg"
deb_version="$(dpkg-deb -f "$work"/fonts-noto-cjk_*.deb Version)"
ttc="$work/pkg/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"

# The characters to keep, written as text for pyftsubset --text-file.
python3 - "$root" > "$work/chars.txt" <<'PY'
import pathlib, sys
root = pathlib.Path(sys.argv[1])
chars = set(chr(c) for c in range(0x20, 0x7F))
# GB2312: rows 0xA1-0xF7, cells 0xA1-0xFE (symbols, kana, Greek, Cyrillic, 6763 hanzi).
for hi in range(0xA1, 0xF8):
    for lo in range(0xA1, 0xFF):
        try:
            chars.add(bytes([hi, lo]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
# Punctuation a chart or label may use beyond GB2312.
for lo, hi in [(0xA0, 0xFF), (0x2010, 0x2027), (0x2030, 0x203B), (0x3000, 0x303F), (0xFF01, 0xFF65)]:
    chars.update(chr(c) for c in range(lo, hi + 1))
sources = [root / "pipelines"] + sorted((root / "crates").glob("*/src"))
for base in sources:
    for path in sorted(base.rglob("*")):
        if path.is_file() and path.suffix in {".toml", ".dict", ".txt", ".rs"}:
            chars.update(c for c in path.read_text(encoding="utf-8") if ord(c) > 0x7F)
print("".join(sorted(c for c in chars if c.isprintable() or c == "\u3000")))
PY

# Face 2 of the collection is Noto Sans CJK SC. Hinting and OpenType layout
# are dropped: plotters (ab_glyph) uses neither, and they are most of the size.
pyftsubset "$ttc" --font-number=2 \
  --text-file="$work/chars.txt" \
  --no-hinting --desubroutinize=false --layout-features='' \
  --name-IDs='*' --name-languages='*' \
  --output-file="$here/NotoSansCJKsc-Regular-subset.otf"

# The licence travels with the font (OFL 1.1 section 2).
awk '/^License: SIL-1.1$/ {n++} n==2 && !/^License:/ {sub(/^ /, ""); sub(/^\.$/, ""); print}' \
  "$work/pkg/usr/share/doc/fonts-noto-cjk/copyright" > "$work/ofl.txt"
{
  echo "Noto Sans CJK SC (subset embedded in kesu-chart)"
  echo "Copyright 2014-2021 Adobe (http://www.adobe.com/)."
  echo "Source: Debian package fonts-noto-cjk $deb_version (https://github.com/googlefonts/noto-cjk)"
  echo
  cat "$work/ofl.txt"
} > "$here/OFL.txt"
ls -l "$here/NotoSansCJKsc-Regular-subset.otf"
