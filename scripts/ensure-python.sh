#!/usr/bin/env bash
# Make sure a Python >= 3.11 with venv and pip is available; on Debian as root, install it if missing.
set -euo pipefail
python=${1:-python3}

usable() {
    "$python" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null
}

if usable; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "ensure-python: installing python3, python3-venv and python3-pip with apt-get" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv python3-pip >/dev/null
    usable && exit 0
fi
echo "ensure-python: '$python' must be Python 3.11 or newer with the venv module;" >&2
echo "  on Debian/Ubuntu: sudo apt-get install python3 python3-venv (or set PYTHON=/path/to/python3.11)" >&2
exit 1
