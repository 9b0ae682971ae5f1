#!/usr/bin/env bash
# Peak memory of one command, split into heap and mapped files: runs it under
# GNU time and samples /proc/PID/status every 0.5 s (VmRSS = RssAnon, the
# heap and other anonymous memory, + RssFile, pages of mapped files such as
# the binary and an index's segment files). Used for `kesu index` in ingest.md.
#
#   bash reports/bench/rss.sh LABEL target/release/kesu index s3m.csv --index idx3m --json
#
# Writes LABEL.time (GNU time -v), LABEL.samples (seconds VmRSS RssAnon RssFile, kB),
# LABEL.out and LABEL.err; prints the peaks. Needs GNU time (apt-get install time).
set -uo pipefail
label=$1
shift
/usr/bin/time -v -o "$label.time" "$@" >"$label.out" 2>"$label.err" &
tpid=$!
sleep 0.2
pid=$(pgrep -P "$tpid" | head -1)
start=$(date +%s.%N)
: >"$label.samples"
while kill -0 "$pid" 2>/dev/null; do
  t=$(echo "$(date +%s.%N) - $start" | bc)
  awk -v t="$t" '/^VmRSS|^RssAnon|^RssFile/ { v[$1] = $2 }
    END { if (v["VmRSS:"] != "") printf "%.1f %d %d %d\n", t, v["VmRSS:"], v["RssAnon:"], v["RssFile:"] }' \
    "/proc/$pid/status" >>"$label.samples" 2>/dev/null
  sleep 0.5
done
wait "$tpid"
echo "exit $?"
grep -E "Maximum resident|Elapsed|User time|System time" "$label.time"
sort -k2 -n "$label.samples" | tail -1 |
  awk '{ printf "peak sampled VmRSS %d MB at %.0f s: anon %d MB + file %d MB\n", $2/1024, $1, $3/1024, $4/1024 }'
sort -k3 -n "$label.samples" | tail -1 | awk '{ printf "max anon %d MB at %.0f s\n", $3/1024, $1 }'
sort -k4 -n "$label.samples" | tail -1 | awk '{ printf "max file %d MB at %.0f s\n", $4/1024, $1 }'
