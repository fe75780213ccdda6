#!/usr/bin/env bash
# Usage: signal_after_start.sh SIGNAL OUT_FILE COMMAND [ARGS...]
#
# Runs the simulator COMMAND, waits until it reports progress on stderr (at
# most 30 s), sends it SIGNAL, and exits with its exit status; its stdout
# goes to OUT_FILE. Waiting for the first progress line, rather than a fixed
# delay, makes the signal arrive during the run: on a loaded machine a
# fixed 3 s once elapsed before the process had installed its handlers, and
# the default action killed it without a report.
set -u
sig=$1
out=$2
shift 2
err=$(mktemp)
trap 'rm -f "$err"' EXIT
"$@" >"$out" 2>"$err" &
pid=$!
for _ in $(seq 300); do
  grep -q '^\[t=' "$err" && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
kill -s "$sig" "$pid" 2>/dev/null
wait "$pid"
