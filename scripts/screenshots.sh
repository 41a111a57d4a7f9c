#!/bin/bash
# PNG screenshots of the real console on the embedded demo: list, tree, events, detail, diff
# and approvals, saved in screenshots/. Each view is a fresh `fluxdeck --embedded` in a
# detached tmux pane; keys are sent with send-keys, the pane is captured with colours and
# rendered by aha + headless Chromium.
#   scripts/screenshots.sh [FLUXDECK_BINARY]   (SHOTS="diff approvals" or ONLY=diff: just some)
# Needs: tmux, aha, chromium, fonts-dejavu-core
#   (apt-get install -y --no-install-recommends tmux aha chromium fonts-dejavu-core)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-${CARGO_TARGET_DIR:-$root/target}/debug/fluxdeck}
out=$root/screenshots
cols=120; rows=36
for tool in tmux aha chromium; do
  command -v "$tool" >/dev/null || { echo "screenshots.sh: $tool is not installed" >&2; exit 1; }
done
[ -x "$bin" ] || { echo "screenshots.sh: no fluxdeck binary at $bin (cargo build, or pass its path)" >&2; exit 1; }
mkdir -p "$out"

# shot NAME KEYS...: start the demo, wait until it shows its objects, send KEYS, capture.
shot() {
  local name=$1; shift
  local work
  work=$(mktemp -d)
  capture "$name" "$work" "$bin --embedded --data-dir $work/data" "$@"
}

# capture NAME WORKDIR COMMAND KEYS...: run COMMAND (the console) in tmux, send KEYS, render.
capture() {
  local name=$1 work=$2 cmd=$3; shift 3
  local sock="fdshot$$"
  tmux -L "$sock" -f /dev/null new-session -d -s s -x "$cols" -y "$rows" \
    "TERM=xterm-256color COLORTERM=truecolor $cmd"
  tmux -L "$sock" set -g status off >/dev/null
  # The demo's controllers reconcile on start: wait for every object to be listed and settled.
  for _ in $(seq 1 150); do
    tmux -L "$sock" capture-pane -t s -p | grep -q "infra-controllers" && break
    sleep 0.2
  done
  sleep 6
  for k in "$@"; do
    case "$k" in
      sleep:*) sleep "${k#sleep:}";;
      # wait:TEXT — until the screen shows TEXT (at most 30 s).
      wait:*) for _ in $(seq 1 150); do
                tmux -L "$sock" capture-pane -t s -p | grep -qF -- "${k#wait:}" && break
                sleep 0.2
              done;;
      *) tmux -L "$sock" send-keys -t s "$k"; sleep 0.4;;
    esac
  done
  sleep 1
  tmux -L "$sock" capture-pane -t s -e -p > "$work/shot.ans"
  tmux -L "$sock" capture-pane -t s -p > "$out/$name.txt"
  tmux -L "$sock" kill-server 2>/dev/null || true
  local w=$(( cols * 79 / 10 + 12 )) h=$(( rows * 17 + 12 ))
  aha --black --title "fluxdeck $name" \
    --style 'margin:0;padding:6px;font-family:"DejaVu Sans Mono",monospace;font-size:14px;line-height:17px' \
    -f "$work/shot.ans" > "$work/shot.html"
  timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/ud" --hide-scrollbars --window-size="$w,$h" \
    --screenshot="$out/$name.png" "file://$work/shot.html" 2>/dev/null
  rm -rf "$work"
  echo "$out/$name.png"
}

want() { if [ -n "${ONLY:-}" ]; then [ "$ONLY" = "$1" ]; else [ -z "${SHOTS:-}" ] || [[ " $SHOTS " == *" $1 "* ]]; fi; }
want list && shot list
want tree && shot tree t
want events && shot events e
want detail && shot detail Enter
# The diff pane needs drift: the demo's store is served (`fluxdeck server`, the same embedded
# store and controllers), kubectl edits a live Deployment of the apps Kustomization, and the
# console on that kubeconfig opens the diff of apps.
shot_diff() {
  local work kc pid k
  work=$(mktemp -d); kc=$work/kubeconfig
  "$bin" server --listen 127.0.0.1:0 --data-dir "$work/data" --kubeconfig-out "$kc" >/dev/null 2>&1 &
  pid=$!
  k() { kubectl --kubeconfig "$kc" "$@"; }
  for _ in $(seq 1 300); do
    [ -f "$kc" ] && k -n flux-system get ks apps -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null | grep -q True && break
    sleep 0.2
  done
  k -n podinfo patch deployment podinfo --type merge -p '{"spec":{"replicas":5}}' >/dev/null
  k -n podinfo patch deployment podinfo --type json \
    -p '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"ghcr.io/stefanprodan/podinfo:6.0.0-hotfix"}]' >/dev/null
  capture diff "$work" "$bin --kubeconfig $kc" / apps Enter D sleep:3
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
command -v kubectl >/dev/null || kubectl() { /usr/lib/google-cloud-sdk/bin/kubectl.1.33 "$@"; }
want diff && shot_diff
# The demo registry's scan, the policy and the gated automation propose podinfo 6.7.1.
want approvals && shot approvals A wait:6.7.1
