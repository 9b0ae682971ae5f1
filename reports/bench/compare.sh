#!/usr/bin/env bash
# kesu analyze vs the Python peer (../shared/peer), back to back on the same
# labelled files: per round, RUNS kesu runs and then one peer run on each file.
# Interleaving keeps both tools under the same background load, which on a
# shared machine moves more than either tool's own variance.
#
# usage: reports/bench/compare.sh [WORK_DIR]      (default /tmp/kesu-compare)
# env:   SIZES="20000:1 100000:3"  orders:seed of each labelled file (kesu synth --with-truth)
#        CROSS="100000:5"          files generated with --cross-class 20 (class accuracy; "" = none)
#        ROUNDS=2 RUNS=3 K=48       rounds, kesu runs per round, number of root causes
#        PEER_DIR=../shared/peer    PEER_PY=python3 with the peer's requirements
#                                   (made in WORK_DIR/venv when unset)
# out:   WORK_DIR/times.tsv (one line per run) and a summary table on stdout
#        (medians; ratio = peer wall / kesu wall), pasted into analyze.md.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="${1:-/tmp/kesu-compare}"
SIZES="${SIZES:-20000:1 100000:3}"
CROSS="${CROSS-100000:5}"
ROUNDS="${ROUNDS:-2}"
RUNS="${RUNS:-3}"
K="${K:-48}"
PEER_DIR="${PEER_DIR:-$ROOT/../shared/peer}"
mkdir -p "$WORK"
[ -x /usr/bin/time ] || { echo "GNU time missing: apt-get install -y time" >&2; exit 2; }
[ -f "$PEER_DIR/peer.py" ] || { echo "peer not found in $PEER_DIR (set PEER_DIR)" >&2; exit 2; }

cargo build --release -q -p kesu-cli --manifest-path "$ROOT/Cargo.toml"
KESU="$ROOT/target/release/kesu"

if [ -z "${PEER_PY:-}" ]; then
  if [ ! -x "$WORK/venv/bin/python3" ]; then
    python3 -m venv "$WORK/venv"
    "$WORK/venv/bin/pip" install -q -r "$PEER_DIR/requirements.txt"
  fi
  PEER_PY="$WORK/venv/bin/python3"
fi
PEER_BIN="$(dirname "$PEER_PY")"

files=()
make() { # orders seed name [synth flags]
  local n="$1" seed="$2" name="$3"; shift 3
  [ -f "$WORK/$name.csv" ] || "$KESU" synth --n "$n" --seed "$seed" --with-truth --header en \
    "$@" --out "$WORK/$name.csv" >&2
  files+=("$name")
}
for s in $SIZES; do make "${s%%:*}" "${s##*:}" "l${s%%:*}"; done
for s in $CROSS; do make "${s%%:*}" "${s##*:}" "x${s%%:*}" --cross-class 20; done

TSV="$WORK/times.tsv"
printf 'round\tfile\ttool\twall_s\tuser_s\tsys_s\tpeak_mb\tnmi\tari\tclass_acc\ttyped_acc\tloadavg\n' > "$TSV"
for round in $(seq 1 "$ROUNDS"); do
  for f in "${files[@]}"; do
    for i in $(seq 1 "$RUNS"); do
      load="$(cut -d' ' -f1 /proc/loadavg)"
      /usr/bin/time -f '%e %U %S %M' -o "$WORK/t" "$KESU" analyze "$WORK/$f.csv" \
        --out "$WORK/$f.kesu" --k "$K" --truth-column true_root_cause --json > "$WORK/$f.kesu.json"
      read -r wall user sys rss < "$WORK/t"
      python3 - "$WORK/$f.kesu.json" "$round" "$f" "$wall" "$user" "$sys" "$rss" "$load" >> "$TSV" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1])); e = m["evaluation"]
r, f, wall, user, sys_, rss, load = sys.argv[2:]
print("\t".join([r, f, "kesu", wall, user, sys_, str(int(rss) // 1024),
                 "%.4f" % e["nmi"], "%.4f" % e["ari"], "%.4f" % e["class_accuracy"],
                 "%.4f" % e["typed_class_accuracy"], load]))
EOF
    done
    load="$(cut -d' ' -f1 /proc/loadavg)"
    tag="r$round$f"
    ( cd "$PEER_DIR" && PEER_RUNS="$WORK/peer" PATH="$PEER_BIN:$PATH" \
      /usr/bin/time -f '%e %U %S %M' -o "$WORK/t" ./run_peer.sh "$WORK/$f.csv" "$tag" \
      --truth-col true_root_cause --truth-class-col true_class --skip-whoosh --k "$K" \
      > "$WORK/$f.peer.log" 2>&1 )
    read -r wall user sys rss < "$WORK/t"
    python3 - "$WORK/peer/$tag/results_$tag.json" "$round" "$f" "$wall" "$user" "$sys" "$rss" "$load" >> "$TSV" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))["clustering"]
r, f, wall, user, sys_, rss, load = sys.argv[2:]
print("\t".join([r, f, "peer", wall, user, sys_, str(int(rss) // 1024),
                 "%.4f" % c["nmi"], "%.4f" % c["ari"], "", "%.4f" % c["category_accuracy"], load]))
EOF
  done
done

python3 - "$TSV" <<'EOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
med = lambda xs: statistics.median(float(x) for x in xs)
print("| file | kesu wall (median) | peer wall (median) | ratio per round | kesu peak MB | peer peak MB | NMI kesu / peer | ARI kesu / peer | class acc kesu / typed |")
print("|---|---|---|---|---|---|---|---|---|")
for f in dict.fromkeys(r["file"] for r in rows):
    k = [r for r in rows if r["file"] == f and r["tool"] == "kesu"]
    p = [r for r in rows if r["file"] == f and r["tool"] == "peer"]
    ratios = []
    for rnd in dict.fromkeys(r["round"] for r in p):
        kw = med(r["wall_s"] for r in k if r["round"] == rnd)
        pw = med(r["wall_s"] for r in p if r["round"] == rnd)
        ratios.append("%.1f×" % (pw / kw))
    print(f"| {f} | {med(r['wall_s'] for r in k):.2f} s | {med(r['wall_s'] for r in p):.2f} s | "
          f"{', '.join(ratios)} | {med(r['peak_mb'] for r in k):.0f} | {med(r['peak_mb'] for r in p):.0f} | "
          f"{k[0]['nmi']} / {p[0]['nmi']} | {k[0]['ari']} / {p[0]['ari']} | "
          f"{k[0]['class_acc']} / {k[0]['typed_acc']} |")
EOF
