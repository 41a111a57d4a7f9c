#!/usr/bin/env bash
# The test command of the README. Installs the real components the tests drive (when run as
# root on Debian), then runs the whole suite. Snapshots are never rewritten here.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  bash scripts/install-test-deps.sh
fi
export INSTA_UPDATE=no
# A clean build gains nothing from incremental caches, which cost gigabytes of disk.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
export PATH="$HOME/.local/bin:$PATH"
cargo test --locked --no-fail-fast -- --test-threads="${FLUXDECK_TEST_THREADS:-4}"
