#!/usr/bin/env bash
# fluxdeck and flux9s side by side (issue 4): both run in a real terminal (tmux, 120x40) on
# the same `fluxdeck server` kubeconfig; prints the time to the first frame showing objects,
# the peak RSS (VmHWM) after a settle period, and the fluxdeck/flux9s ratios.
#
#   scripts/bench-flux9s.sh KUBECONFIG [SETTLE_SECONDS]
#
# Seed the server first (`fluxdeck --kubeconfig K bench seed --count 5000`). Binaries:
# FLUXDECK (default target/release/fluxdeck) and FLUX9S (default: flux9s on PATH, else
# /work/flux9s/bin/flux9s; `cargo install flux9s --root DIR` installs it).
set -euo pipefail

kubeconfig=${1:?usage: scripts/bench-flux9s.sh KUBECONFIG [SETTLE_SECONDS]}
settle=${2:-15}
here=$(cd "$(dirname "$0")/.." && pwd)
fluxdeck=${FLUXDECK:-${CARGO_TARGET_DIR:-$here/target}/release/fluxdeck}
flux9s=${FLUX9S:-$(command -v flux9s || echo /work/flux9s/bin/flux9s)}
for b in "$fluxdeck" "$flux9s"; do
  [ -x "$b" ] || { echo "missing binary: $b" >&2; exit 2; }
done
command -v tmux >/dev/null || { echo "tmux is required" >&2; exit 2; }

# A seeded object's name on screen means the list is painted with objects.
pattern='(kustomization|helmrelease|gitrepository|helmrepository|ocirepository|bucket)-[0-9]{4}'

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# measure NAME 'COMMAND LINE' → prints "first_ms peak_kib"
measure() {
  local name=$1 cmd=$2
  local sock="fdbench-$$-$name"
  local t0 first="" pid hwm=0 deadline
  t0=$(now_ms)
  tmux -L "$sock" -f /dev/null new-session -d -s "$name" -x 120 -y 40 "exec $cmd"
  deadline=$(( t0 + 120000 ))
  while [ -z "$first" ]; do
    if tmux -L "$sock" capture-pane -p -t "$name" 2>/dev/null | grep -Eq "$pattern"; then
      first=$(( $(now_ms) - t0 ))
    elif [ "$(now_ms)" -gt "$deadline" ]; then
      echo "$name never showed an object within 120s; screen:" >&2
      tmux -L "$sock" capture-pane -p -t "$name" >&2 || true
      tmux -L "$sock" kill-server 2>/dev/null || true
      return 1
    else
      sleep 0.02
    fi
  done
  pid=$(tmux -L "$sock" display-message -p -t "$name" '#{pane_pid}')
  sleep "$settle"
  hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
  tmux -L "$sock" kill-server 2>/dev/null || true
  echo "$first ${hwm:-0}"
}

echo "side by side on $kubeconfig, 120x40, settle ${settle}s"
read -r fd_first fd_rss < <(measure fluxdeck "'$fluxdeck' --kubeconfig '$kubeconfig'")
# flux9s starts on flux-system; `ns all` makes it list every namespace like fluxdeck does.
read -r f9_first f9_rss < <(measure flux9s "'$flux9s' --kubeconfig '$kubeconfig' -c 'ns all'")
printf '%-9s first frame with objects %6d ms   peak RSS %7.1f MiB\n' fluxdeck "$fd_first" "$(echo "$fd_rss/1024" | bc -l)"
printf '%-9s first frame with objects %6d ms   peak RSS %7.1f MiB\n' flux9s "$f9_first" "$(echo "$f9_rss/1024" | bc -l)"
printf 'ratio fluxdeck/flux9s: first frame %.2f, peak RSS %.2f (goal <= 0.50)\n' \
  "$(echo "$fd_first/$f9_first" | bc -l)" "$(echo "$fd_rss/$f9_rss" | bc -l)"
