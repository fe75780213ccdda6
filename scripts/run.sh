#!/usr/bin/env bash
# The README's main command: installs what is missing, builds, and runs the
# deterministic simulator on its default network (1 shard x 4 validators,
# 30 simulated seconds, 1000 tx/s). Extra arguments go to hyperscale-sim,
# e.g. `bash scripts/run.sh --validators 7 --byzantine equivocate:2 --json`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash scripts/build.sh
exec "$root/build/release/apps/hyperscale-sim" --shards 1 --validators 4 --duration 30 --tps 1000 "$@"
