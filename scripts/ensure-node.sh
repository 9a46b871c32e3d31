#!/usr/bin/env bash
# Make sure Node.js >= 20.19 and npm are available to build the PWA; say what to install when they are not.
set -euo pipefail

node_ok() {
    command -v node >/dev/null && command -v npm >/dev/null &&
        node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'
}

if node_ok; then
    exit 0
fi
if ! command -v node >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "ensure-node: installing nodejs and npm with apt-get" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
    node_ok && exit 0
fi
echo "ensure-node: the PWA build needs Node.js 20.19 or newer with npm (found: $(node --version 2>/dev/null || echo none))." >&2
echo "  Install it from https://nodejs.org/ or NodeSource, then run make again." >&2
exit 1
