#!/usr/bin/env python3
"""Writes common_words.txt: frequent two-character words that begin or end
with a surname character (frequency >= 50), one `word<TAB>frequency` a line, taken from jieba's dictionary (MIT, vendored in
vendor/jieba-rs/src/data/dict.txt).

The name detector (src/names.rs) uses the list to tell a surname from the
first or last character of an ordinary word: 马上, 高压, 张贴 (surname first)
and 线路, 公司 (surname last) are words, so 马/高/张/路/司 there are not names.

Run from the repository root: python3 crates/kesu-normalize/data/make_common_words.py
"""
import re
from pathlib import Path

MIN_FREQ = 50
root = Path(__file__).resolve().parents[3]
src = (root / "crates/kesu-normalize/src/names.rs").read_text(encoding="utf-8")
surnames = set(re.search(r'const SURNAMES: &str = "([^"]+)"', src).group(1))


def han(c):
    return "\u4e00" <= c <= "\u9fff"


words = {}
for line in (root / "vendor/jieba-rs/src/data/dict.txt").open(encoding="utf-8"):
    word, freq = line.split()[:2]
    if len(word) == 2 and all(map(han, word)) and int(freq) >= MIN_FREQ:
        if word[0] in surnames or word[1] in surnames:
            words[word] = max(words.get(word, 0), int(freq))
out = root / "crates/kesu-normalize/data/common_words.txt"
out.write_text("".join(f"{w}\t{f}\n" for w, f in sorted(words.items())), encoding="utf-8")
print(f"{len(words)} words -> {out}")
