#!/usr/bin/env bash
# Benchmarks that print figures (not tests). Builds a release binary, then measures:
#  - the embedded store (durable writes/s with 64 writers, latency, watchers, list)
#  - `fluxdeck get all -A` over N Flux objects vs kubectl on the same server: wall time, peak RSS
# Usage: scripts/bench.sh [store|get|all]   (N via FLUXDECK_BENCH_OBJECTS, default 5000)
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
n="${FLUXDECK_BENCH_OBJECTS:-5000}"
kubectl=/usr/lib/google-cloud-sdk/bin/kubectl.1.33
cargo build --release --quiet
bin="$(pwd)/${CARGO_TARGET_DIR:-target}/release/fluxdeck"
[ -x "$bin" ] || bin="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys;print(json.load(sys.stdin)["target_directory"])')/release/fluxdeck"
tmp=$(mktemp -d)
cleanup() { [ -f "$tmp/pid" ] && kill "$(cat "$tmp/pid")" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

if [ "$what" = store ] || [ "$what" = all ]; then
  echo "== store"
  "$bin" bench store --scratch "$tmp/store"
fi

if [ "$what" = get ] || [ "$what" = all ]; then
  echo "== get all -A over $n Flux objects"
  port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  "$bin" server --listen "127.0.0.1:$port" --data-dir "$tmp/data" --kubeconfig-out "$tmp/kc" --no-demo --no-controllers 2>"$tmp/server.log" &
  echo $! > "$tmp/pid"
  for _ in $(seq 1 300); do [ -f "$tmp/kc" ] && break; sleep 0.1; done
  "$bin" --kubeconfig "$tmp/kc" bench seed --count "$n" --namespaces 10
  measure() { # label, command...
    local label=$1; shift
    /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" > "$tmp/out" 2>/dev/null || true
    read -r secs kb < "$tmp/time"
    printf '%-40s wall %6.2fs  peak RSS %7.1f MiB  lines %s\n' "$label" "$secs" "$(awk "BEGIN{print $kb/1024}")" "$(wc -l < "$tmp/out")"
  }
  measure "fluxdeck get all -A" "$bin" --kubeconfig "$tmp/kc" get all -A
  measure "kubectl get ks,gitrepo,hr,helmrepo -A" "$kubectl" --kubeconfig "$tmp/kc" get kustomizations,gitrepositories,helmreleases,helmrepositories -A
fi
