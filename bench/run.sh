#!/usr/bin/env bash
# Runs every benchmark of the bench module and the scale runs, and writes
# bench/BENCHMARKS.md. Not part of the test suite: it takes minutes and
# wants a quiet machine.
#
#   bench/run.sh                      # the full run: 10 M events, -count=6
#   BENCH_EVENTS=1000000 COUNT=3 SCALE="100000:10000 1000000:100000" bench/run.sh
#
# Environment:
#   BENCH_EVENTS  events of the KPI benchmarks (default 10000000)
#   COUNT         -count of the benchmarks (default 6)
#   BENCH         -bench pattern (default .)
#   SCALE         scale runs, each EVENTS:CONTACTS (default: 100k, 1M and 10M
#                 events at 10 a contact, and 10M events on 100k contacts:
#                 with the 1M-event run, memory against events at fixed
#                 contacts)
#   OUT           folder for raw output (default: a new temporary folder)
#   NOTES         Markdown appended to BENCHMARKS.md (default bench/NOTES.md)
set -euo pipefail
cd "$(dirname "$0")"
BENCH_EVENTS=${BENCH_EVENTS:-10000000}
COUNT=${COUNT:-6}
BENCH=${BENCH:-.}
SCALE=${SCALE:-"100000:10000 1000000:100000 10000000:1000000 10000000:100000"}
OUT=${OUT:-$(mktemp -d -t smarketing-bench.XXXXXX)}
NOTES=${NOTES:-NOTES.md}
mkdir -p "$OUT"
export PATH="$(go env GOPATH)/bin:$PATH"

echo "==> output in $OUT"
if ! command -v benchstat >/dev/null; then
  echo "==> install benchstat"
  go install golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
fi
TIME=/usr/bin/time
if [ ! -x "$TIME" ]; then
  echo "==> install GNU time"
  if command -v apt-get >/dev/null; then
    (apt-get install -y time >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y time >/dev/null; }) || true
  fi
fi
if [ ! -x "$TIME" ]; then
  echo "warning: /usr/bin/time unavailable; peak RSS will be missing" >&2
  TIME=""
fi

go version > "$OUT/goversion.txt"
uptime > "$OUT/load.txt"
echo "BENCH_EVENTS=$BENCH_EVENTS COUNT=$COUNT BENCH='$BENCH' SCALE='$SCALE'" > "$OUT/params.txt"

echo "==> benchmarks (BENCH_EVENTS=$BENCH_EVENTS, -count=$COUNT)"
BENCH_EVENTS=$BENCH_EVENTS go test -run '^$' -bench "$BENCH" -benchmem -count="$COUNT" -timeout 3h . | tee "$OUT/bench.txt"
benchstat "$OUT/bench.txt" | tee "$OUT/benchstat.txt"

echo "==> scale runs"
go build -o "$OUT/scale" ./cmd/scale
for spec in $SCALE; do
  events=${spec%%:*}
  contacts=${spec#*:}
  label=$(printf '%09d-events-%08d-contacts' "$events" "$contacts")
  echo "--> $events events, $contacts contacts"
  if [ -n "$TIME" ]; then
    "$TIME" -v -o "$OUT/time-$label.txt" "$OUT/scale" -contacts "$contacts" -events "$events" -json | tee "$OUT/scale-$label.txt"
  else
    "$OUT/scale" -contacts "$contacts" -events "$events" -json | tee "$OUT/scale-$label.txt"
  fi
done
uptime >> "$OUT/load.txt"

echo "==> BENCHMARKS.md"
notes_flag=()
[ -f "$NOTES" ] && notes_flag=(-notes "$NOTES")
go run ./cmd/benchmd -dir "$OUT" -o BENCHMARKS.md -cmd "bench/run.sh ($(cat "$OUT/params.txt"))" "${notes_flag[@]}"
echo "wrote $(pwd)/BENCHMARKS.md (raw output in $OUT)"
