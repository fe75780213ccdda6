#!/usr/bin/env bash
# The README's main command: installs what is missing, builds, and runs the
# deterministic simulator on its default network (1 shard x 4 validators,
# 20 simulated seconds, 200 transfers/s executed to completion, real BLS and
# Ed25519 signatures). Extra arguments go to hyperscale-sim and win over
# these, e.g. `bash scripts/run.sh --crypto mock --tps 1000 --duration 30`
# or `bash scripts/run.sh --validators 7 --byzantine equivocate:2 --json`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash scripts/build.sh
exec "$root/build/release/apps/hyperscale-sim" --shards 1 --validators 4 --duration 20 --tps 200 \
  --crypto real "$@"
