#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (never a downloaded browser); install it on Debian when missing.
set -euo pipefail
if command -v chromium >/dev/null; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "ensure-chromium: installing chromium with apt-get" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    exit 0
fi
echo "ensure-chromium: the browser tests need Chromium at /usr/bin/chromium (Debian: apt-get install chromium)" >&2
exit 1
