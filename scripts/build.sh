#!/usr/bin/env bash
# Installs what is missing (idempotently) and builds the release preset.
#   PRESET=debug bash scripts/build.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash scripts/setup.sh
preset="${PRESET:-release}"
werror=OFF
[[ "${CI:-}" == "true" ]] && werror=ON
cmake --preset "$preset" -DHS_WERROR="$werror" >/dev/null
cmake --build --preset "$preset"
