"""Writes labels.txt: the sample's cause labels, one per cause, from root_causes.parquet.

Run from the repository root after regenerating the sample:
    python3 reports/analyze-sample/labels.py
"""
import json

import pyarrow.parquet as pq

DIR = "reports/analyze-sample"
rows = pq.read_table(f"{DIR}/root_causes.parquet").to_pylist()
m = json.load(open(f"{DIR}/metrics.json", encoding="utf-8"))
out = [
    "# Cause labels of the committed sample (fixtures/orders/sample.csv), by size.",
    "# id\torders\tlabel\tgap\ttop terms",
    "# label in most of its typical cases: %.3f of causes; in at least one: %.3f"
    % (m["label_in_typical_share"], m["label_in_some_typical_share"]),
]
for r in rows:
    out.append(
        "\t".join(
            [str(r["cause_id"]), str(r["size"]), r["label"], r["gap_id"] or r["gap"], "、".join((r["top_terms"] or [])[:5])]
        )
    )
open(f"{DIR}/labels.txt", "w", encoding="utf-8").write("\n".join(out) + "\n")
