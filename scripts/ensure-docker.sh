#!/usr/bin/env bash
# Make sure a Docker engine answers. On Debian as root, install docker.io (and debootstrap, used to make a
# local base image when no registry is reachable) and start dockerd in the background when none runs.
set -euo pipefail

engine_answers() { docker info >/dev/null 2>&1; }

if engine_answers; then
    exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "ensure-docker: no Docker engine answers. Install and start Docker (https://docs.docker.com/engine/install/)," >&2
    echo "  or run this as root on Debian, where it installs docker.io and starts dockerd itself." >&2
    exit 1
fi
missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v debootstrap >/dev/null || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
    echo "ensure-docker: installing ${missing[*]} with apt-get" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! pgrep -x dockerd >/dev/null; then
    log=/var/log/autocode-dockerd.log
    echo "ensure-docker: starting dockerd in the background (log: $log)" >&2
    nohup dockerd >"$log" 2>&1 &
fi
for _ in $(seq 1 120); do
    if engine_answers; then
        echo "ensure-docker: the engine answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null))" >&2
        exit 0
    fi
    sleep 0.5
done
echo "ensure-docker: dockerd did not answer within 60 s; see /var/log/autocode-dockerd.log" >&2
exit 1
