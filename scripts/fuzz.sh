#!/usr/bin/env bash
# Builds the decoder fuzz targets with clang 16 and runs each on its seed
# corpus for a few seconds.
#
#   bash scripts/fuzz.sh                 # 3 s per target
#   FUZZ_SECONDS=600 bash scripts/fuzz.sh   # a longer campaign
#   FUZZ_TARGETS="block transaction" bash scripts/fuzz.sh
#
# Needs the release build (for the seed writer): run scripts/test.sh or
# scripts/build.sh first. Findings are written to build/fuzz-findings/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

seconds="${FUZZ_SECONDS:-3}"
werror=OFF
[[ "${CI:-}" == "true" ]] && werror=ON

cmake --preset fuzz -DHS_WERROR="$werror" >/dev/null
cmake --build --preset fuzz --target fuzz_all

seeds="$root/build/fuzz-corpus"
rm -rf "$seeds"
"$root/build/release/fuzz/fuzz_seeds" "$seeds"

findings="$root/build/fuzz-findings"
mkdir -p "$findings"
failed=0
ran=0
for dir in "$seeds"/*/; do
  type="$(basename "$dir")"
  if [[ -n "${FUZZ_TARGETS:-}" && " ${FUZZ_TARGETS} " != *" $type "* ]]; then continue; fi
  bin="$root/build/fuzz/fuzz/fuzz_decode_$type"
  work="$root/build/fuzz-work/$type"
  mkdir -p "$work"
  if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="$findings/$type-" "$work" "$dir" >"$work.log" 2>&1; then
    echo "fuzz: $type ok ($(grep -o 'Done [0-9]* runs' "$work.log" | awk '{print $2}' || true) runs in ${seconds} s)"
  else
    echo "fuzz: $type FAILED, see $work.log and $findings" >&2
    tail -n 30 "$work.log" >&2
    failed=$((failed + 1))
  fi
  ran=$((ran + 1))
done
echo "fuzz: $ran targets, $failed failed"
[[ $failed -eq 0 ]]
