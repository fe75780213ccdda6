#!/usr/bin/env bash
# The README's test command: set-up, build, every unit/property test, then a
# few seconds of each decoder fuzz target on its seed corpus.
#   SKIP_FUZZ=1 bash scripts/test.sh     # tests only
#   ASAN=1 bash scripts/test.sh          # also the tests under ASan + UBSan
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash scripts/build.sh
ctest --preset release -j "$(nproc)"

if [[ "${ASAN:-0}" == "1" ]]; then
  PRESET=asan bash scripts/build.sh
  ctest --preset asan -j "$(nproc)"
fi

if [[ "${SKIP_FUZZ:-0}" != "1" ]]; then
  bash scripts/fuzz.sh
fi
