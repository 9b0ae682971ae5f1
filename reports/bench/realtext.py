#!/usr/bin/env python3
"""Root-cause clustering on real public labelled Chinese text: kesu against the peer.

kesu-synth is written by the same hands as the miner; these sets are not. Each is
real text with a human (or source) label per message, turned into a kesu export
(canonical English header, `truth` = the label, no typed class) and clustered by
`kesu analyze --k K` and by the Python peer (`../shared/peer`, `--k K`) with
K = the number of labels, back to back, over several seeds. NMI and ARI are
against the label. Nothing here is committed: the sets are read from public
repositories at run time (see SETS) and written under WORK_DIR.

usage: reports/bench/realtext.py --mirror DIR [--work DIR] [--seeds 1,2,3]
                                 [--sets gov,shop_neg] [--kesu PATH] [--peer-py PATH]

--mirror holds plain git clones (bare or not) of the source repositories, named
owner+name (e.g. SophonPlus+ChineseNlpCorpus); clone them with
`git clone --bare https://github.com/OWNER/NAME DIR/OWNER+NAME`.
"""
import argparse
import csv
import io
import json
import os
import statistics
import subprocess
import sys
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))

# Each set: where it comes from, its licence as far as the source says, and how
# to read it. None of them may be committed to kesu.
SETS = {
    "gov": {
        "what": "citizen messages to a city government platform (泰迪杯 2020 C题 附件2): "
        "long, several sentences each, 7 first-level topics labelled by the platform",
        "repo": "694035434+Natural-language-processing-and-text-mining",
        "path": "附件2.xlsx",
        "licence": "none stated (competition data republished in a public repository); "
        "used here for measurement only, not redistributed",
    },
    "cnews": {
        "what": "Sina news articles (THUCNews subset `cnews.val.txt` as republished for text "
        "classification exercises): long, many sentences, 10 topics",
        "repo": "qianshuang+dl-exp",
        "path": "data/cnews/cnews.val.txt",
        "licence": "THUCNews is offered by Tsinghua's THUNLP for research; no licence in the "
        "repository; used here for measurement only, not redistributed",
    },
    "shop_neg": {
        "what": "negative online-shopping reviews (online_shopping_10_cats, label 0): short "
        "consumer complaints about 10 product categories, labelled by category",
        "repo": "SophonPlus+ChineseNlpCorpus",
        "path": "datasets/online_shopping_10_cats/online_shopping_10_cats.zip",
        "licence": "none stated in the repository; used here for measurement only, "
        "not redistributed",
    },
}


def git_show(mirror, repo, path):
    d = os.path.join(mirror, repo)
    git_dir = os.path.join(d, ".git") if os.path.isdir(os.path.join(d, ".git")) else d
    return subprocess.run(
        ["git", "--git-dir", git_dir, "show", f"HEAD:{path}"], check=True, capture_output=True
    ).stdout


def clean(s):
    return " ".join(str(s or "").replace("\ufeff", "").split())


def rows_gov(raw):
    import openpyxl  # the peer's venv has it (pandas' xlsx reader)

    wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True)
    ws = wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    header = [str(h).strip() for h in next(it)]
    ix = {h: i for i, h in enumerate(header)}
    out = []
    for r in it:
        text = clean(r[ix["留言详情"]])
        label = clean(r[ix["一级分类"]])
        if not text or not label:
            continue
        # Times are text like 2020/1/6 12:09:38; kesu reads them as they are.
        when = r[ix["留言时间"]]
        when = when.strftime("%Y-%m-%d %H:%M:%S") if hasattr(when, "strftime") else clean(when)
        out.append((f"G{len(out):06d}", when, text, label))
    return out


def rows_shop_neg(raw):
    z = zipfile.ZipFile(io.BytesIO(raw))
    name = [n for n in z.namelist() if n.endswith(".csv")][0]
    text = z.read(name).decode("utf-8-sig")
    out = []
    for r in csv.DictReader(io.StringIO(text)):
        t = clean(r["review"])
        if r["label"] != "0" or len(t) < 4:
            continue
        # The reviews carry no time; one fixed week keeps every row in it.
        out.append((f"S{len(out):06d}", "2024-01-03 10:00:00", t, r["cat"]))
    return out


def rows_cnews(raw):
    out = []
    for line in raw.decode("utf-8").splitlines():
        label, _, text = line.partition("\t")
        text = clean(text)
        if label and text:
            out.append((f"N{len(out):06d}", "2024-01-03 10:00:00", text, label))
    return out


def prepare(name, mirror, work):
    path = os.path.join(work, f"{name}.csv")
    if os.path.exists(path):
        return path
    raw = git_show(mirror, SETS[name]["repo"], SETS[name]["path"])
    rows = {"gov": rows_gov, "cnews": rows_cnews, "shop_neg": rows_shop_neg}[name](raw)
    tmp = path + ".tmp"
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["work_order_id", "received_at", "channel", "unit", "customer_class", "category", "text", "truth"])
        for i, when, text, label in rows:
            w.writerow([i, when, "", "", "", "", text, label])
    os.replace(tmp, path)
    return path


def labels_of(path):
    with open(path, encoding="utf-8") as f:
        return [r["truth"] for r in csv.DictReader(f)]


def run_kesu(kesu, path, k, seed, work, extra):
    out = os.path.join(work, f"kesu_{os.path.basename(path)}_{seed}")
    t = time.monotonic()
    p = subprocess.run(
        [kesu, "analyze", path, "--out", out, "--k", str(k), "--seed", str(seed),
         "--truth-column", "truth", "--json", "--max-reject-rate", "1", *extra],
        capture_output=True, text=True,
    )
    wall = time.monotonic() - t
    if p.returncode not in (0, 1):
        sys.exit(f"kesu failed on {path}: {p.stderr[-2000:]}")
    m = json.loads(p.stdout)
    ev = m["evaluation"]
    return {"nmi": ev["nmi"], "ari": ev["ari"], "wall": wall}


def run_peer(peer_py, peer_dir, path, k, seed, work):
    tag = f"peer_{os.path.basename(path)[:-4]}_{seed}"
    res = os.path.join(work, tag + ".json")
    t = time.monotonic()
    subprocess.run(
        [peer_py, os.path.join(peer_dir, "peer.py"), "--input", path, "--k", str(k), "--seed", str(seed),
         "--truth-col", "truth", "--category-col", "category", "--skip-whoosh",
         "--workdir", os.path.join(work, tag), "--results", res],
        check=True, capture_output=True, text=True,
    )
    wall = time.monotonic() - t
    r = json.load(open(res, encoding="utf-8"))
    c = r.get("clustering", r)
    return {"nmi": c["nmi"], "ari": c["ari"], "wall": wall}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mirror", required=True)
    ap.add_argument("--work", default="/tmp/kesu-realtext")
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--kesu", default=os.path.join(ROOT, "target", "release", "kesu"))
    ap.add_argument("--peer-dir", default=os.path.join(ROOT, "..", "shared", "peer"))
    ap.add_argument("--peer-py", default=sys.executable)
    ap.add_argument("--no-peer", action="store_true", help="kesu only (the peer's figures do not change)")
    ap.add_argument("--kesu-arg", action="append", default=[], help="extra argument to kesu analyze")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    seeds = [int(s) for s in a.seeds.split(",")]
    print("| set | orders | k | mean chars | tool | NMI (mean of seeds) | ARI | per seed NMI / ARI | wall s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in a.sets.split(","):
        path = prepare(name, a.mirror, a.work)
        labels = labels_of(path)
        k = len(set(labels))
        with open(path, encoding="utf-8") as f:
            chars = statistics.mean(len(r["text"]) for r in csv.DictReader(f))
        tools = [("kesu", lambda s: run_kesu(a.kesu, path, k, s, a.work, a.kesu_arg))]
        if not a.no_peer:
            tools.append(("peer", lambda s: run_peer(a.peer_py, a.peer_dir, path, k, s, a.work)))
        for tool, fn in tools:
            rs = [fn(s) for s in seeds]
            nmi = statistics.mean(r["nmi"] for r in rs)
            ari = statistics.mean(r["ari"] for r in rs)
            per = "; ".join(f"{r['nmi']:.3f} / {r['ari']:.3f}" for r in rs)
            wall = statistics.median(r["wall"] for r in rs)
            print(f"| {name} | {len(labels)} | {k} | {chars:.0f} | {tool} | {nmi:.3f} | {ari:.3f} | {per} | {wall:.2f} |",
                  flush=True)


if __name__ == "__main__":
    main()
