#!/usr/bin/env bash
# Installs what Hyperscale needs to build on Debian 12 and builds blst.
# Idempotent: packages already present are skipped, blst is rebuilt only when
# its library is missing. Run as root (or with sudo available).
#
#   BLST_PORTABLE=1  build blst with runtime CPU detection instead of the
#                    build machine's instruction set (ADX).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libsodium-dev librocksdb-dev libasio-dev libtbb-dev libspdlog-dev libfmt-dev
  nlohmann-json3-dev libcli11-dev libtomlplusplus-dev
  libgtest-dev libgmock-dev libbenchmark-dev librapidcheck-dev
  liblz4-dev libzstd-dev libpng-dev
  chromium  # the simulator's HTML report is checked in a headless browser
  clang-16 libclang-rt-16-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

# npm fetches the blst tarball; a machine may already have Node.js from elsewhere.
command -v npm >/dev/null 2>&1 || missing+=(npm)

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: Debian packages present"
fi

# --- blst 0.3.10, from the npm registry tarball @chainsafe/blst@0.2.11 -------
blst_package="@chainsafe/blst@0.2.11"
blst_tarball="chainsafe-blst-0.2.11.tgz"
blst_sha512_b64="URyOLq5GtxBoxibOnd2pgLydCy0UZzbiIIBcsRAvGxAsRzjZL04TsQfwRkz5aphU3a1ebeRoMmI/HHyMCiFSQg=="
blst_dir="$root/third_party/blst"
blst_flavour="native"
[[ "${BLST_PORTABLE:-0}" == "1" ]] && blst_flavour="portable"

if [[ -f "$blst_dir/libblst.a" && -f "$blst_dir/bindings/blst.h" &&
      "$(cat "$blst_dir/.flavour" 2>/dev/null)" == "$blst_flavour" ]]; then
  echo "setup: blst present ($blst_flavour)"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "setup: fetching $blst_package"
(cd "$work" && npm pack --silent "$blst_package" >/dev/null)
expected="$(printf '%s' "$blst_sha512_b64" | base64 -d | od -An -v -tx1 | tr -d ' \n')"
actual="$(sha512sum "$work/$blst_tarball" | cut -d' ' -f1)"
if [[ "$actual" != "$expected" ]]; then
  echo "setup: integrity check of $blst_tarball FAILED" >&2
  echo "  expected sha512 $expected" >&2
  echo "  actual   sha512 $actual" >&2
  exit 1
fi
tar -xzf "$work/$blst_tarball" -C "$work"
rm -rf "$blst_dir"
mkdir -p "$(dirname "$blst_dir")"
mv "$work/package/blst" "$blst_dir"
build_flags=()
[[ "$blst_flavour" == "portable" ]] && build_flags+=(-D__BLST_PORTABLE__)
echo "setup: building blst ($blst_flavour)"
if ! (cd "$blst_dir" && ./build.sh "${build_flags[@]}" >build.log 2>&1); then
  cat "$blst_dir/build.log" >&2
  echo "setup: blst build failed" >&2
  exit 1
fi
echo "$blst_flavour" >"$blst_dir/.flavour"
echo "setup: blst built at $blst_dir"
