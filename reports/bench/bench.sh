#!/usr/bin/env bash
# Whole-command benchmarks of kesu on synthetic data; appends a dated section
# (machine, commit, numbers) to the end of reports/bench/e2e.md, under History;
# copy its table to "Current figures" there when it replaces them.
#
#   bash reports/bench/bench.sh            # 1M rows (default)
#   N=200000 bash reports/bench/bench.sh   # smaller run
#
# Needs GNU time (apt-get install time) for peak memory.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-1000000}
WORK=${WORK:-/tmp/kesu-bench}
OUT=reports/bench/e2e.md
mkdir -p "$WORK"
cargo build --release -p kesu-cli >/dev/null
KESU=target/release/kesu
[ -x /usr/bin/time ] || { echo "GNU time missing: apt-get install time" >&2; exit 2; }

# timed LABEL CMD...: wall seconds and peak RSS (MB) of one run.
rows=()
timed() {
  local label=$1; shift
  /usr/bin/time -f '%e %M' -o "$WORK/time.txt" "$@" >"$WORK/stdout.txt" 2>"$WORK/stderr.txt" || {
    echo "failed: $*" >&2; cat "$WORK/stderr.txt" >&2; exit 2; }
  read -r secs kb <"$WORK/time.txt"
  rows+=("| $label | $secs | $((kb / 1024)) |")
  echo "$label: ${secs}s, $((kb / 1024)) MB" >&2
}

timed "synth $N rows → CSV (UTF-8)" $KESU synth --n "$N" --seed 1 --out "$WORK/big.csv"
timed "synth 200000 rows → CSV (GB18030)" $KESU synth --n 200000 --seed 2 --encoding gb18030 --out "$WORK/gbk.csv"
timed "synth 100000 rows → XLSX" $KESU synth --n 100000 --seed 3 --out "$WORK/big.xlsx"
timed "ingest+normalise+segment $N rows CSV" $KESU ingest "$WORK/big.csv" --out "$WORK/ingest" --json
cp "$WORK/stdout.txt" "$WORK/ingest.json"
timed "ingest+normalise+segment 200000 rows GB18030" $KESU ingest "$WORK/gbk.csv" --out "$WORK/ingest-gbk" --json
timed "ingest+normalise+segment 100000 rows XLSX" $KESU ingest "$WORK/big.xlsx" --out "$WORK/ingest-xlsx" --json
timed "analyze $N rows (k auto)" $KESU analyze "$WORK/big.csv" --out "$WORK/analyze" --json
rm -rf "$WORK/index"
timed "index $N rows (new index)" $KESU index "$WORK/big.csv" --index "$WORK/index"
timed "index same $N rows again (upsert, no duplicates)" $KESU index "$WORK/big.csv" --index "$WORK/index"

size() { du -sm "$1" | cut -f1; }
{
  echo
  echo "### $(date -u +%Y-%m-%d) — commit $(git rev-parse --short HEAD)$(git diff --quiet || echo '+dirty'), N=$N"
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo
  echo "| command | wall s | peak RSS MB |"
  echo "|---|---:|---:|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Input sizes: CSV $(size "$WORK/big.csv") MB, GB18030 $(size "$WORK/gbk.csv") MB, XLSX $(size "$WORK/big.xlsx") MB; index $(size "$WORK/index") MB."
  echo
  echo "Ingest summary: \`$(head -c 400 "$WORK/ingest.json")\`"
} >>"$OUT"
echo "appended to $OUT" >&2
