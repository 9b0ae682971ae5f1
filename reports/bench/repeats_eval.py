"""Repeat complaints found by `kesu run` against kesu-synth's truth.

usage: python3 reports/bench/repeats_eval.py STATE SYNTH.csv

Prints precision, recall and F1 of assignments.is_repeat against the CSV's
is_repeat column, how many found repeats joined a group begun in an earlier
week, and recall split by where the true group began (same week or earlier).
"""

import csv
import glob
import sys

import pyarrow.parquet as pq


def main(state, source):
    got = {}  # work order id -> (is_repeat, repeat_group, week)
    for path in glob.glob(f"{state}/tables/assignments/week=*/part-0.parquet"):
        t = pq.read_table(path, columns=["work_order_id", "is_repeat", "repeat_group", "week"])
        for i, r, g, w in zip(*(t.column(c).to_pylist() for c in t.column_names)):
            got[i] = (r, g, w)
    rows = list(csv.DictReader(open(source, encoding="utf-8")))
    truth = {r["工单编号"]: r["is_repeat"] in ("1", "true", "True") for r in rows}
    tp = sum(1 for i, (r, _, _) in got.items() if r and truth[i])
    fp = sum(1 for i, (r, _, _) in got.items() if r and not truth[i])
    fn = sum(1 for i, (r, _, _) in got.items() if not r and truth[i])
    p = tp / (tp + fp) if tp + fp else 0.0
    rc = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * rc / (p + rc) if p + rc else 0.0
    print(f"orders {len(got)}, true repeats {tp + fn}, found {tp + fp}: "
          f"precision {p:.3f} recall {rc:.3f} F1 {f1:.3f}, "
          f"rate {(tp + fp) / len(got):.4f} (truth {(tp + fn) / len(got):.4f})")
    week = {i: w for i, (_, _, w) in got.items()}
    across = [i for i, (r, g, w) in got.items() if r and week.get(g, "~") < w]
    print(f"in groups begun in an earlier week: {len(across)}, "
          f"of which true repeats {sum(truth[i] for i in across)}")
    for same in (True, False):
        # kesu-synth's repeat_group is "RG" + the id of the group's first order.
        members = [r["工单编号"] for r in rows if truth[r["工单编号"]]
                   and (week[r["repeat_group"][2:]] == week[r["工单编号"]]) == same]
        print(f"true group began {'in the same week' if same else 'in an earlier week'}: "
              f"{sum(got[i][0] for i in members)} / {len(members)} found")


if __name__ == "__main__":
    main(*sys.argv[1:3])
