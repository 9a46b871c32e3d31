#!/usr/bin/env bash
# Re-resolve the sandbox venv (runner + nanobot-ai) and pin every package in runner/requirements.lock.
# Use the Python minor version the image has (Debian 12: 3.11), so wheels and markers match.
set -euo pipefail
cd "$(dirname "$0")"
python=${PYTHON:-python3}
"$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || {
    echo "lock.sh: needs Python 3.11 like the image (set PYTHON=/path/to/python3.11)" >&2
    exit 1
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check -r runner/requirements.in ./runner
{
    echo "# Exact versions of the sandbox venv: the runner's dependencies and runner/requirements.in."
    echo "# Installed by sandbox-image/Dockerfile; regenerate with sandbox-image/lock.sh."
    "$work/venv/bin/pip" freeze --exclude-editable | grep -v '^autocode-runner'
} > runner/requirements.lock.new
mv runner/requirements.lock.new runner/requirements.lock
echo "lock.sh: wrote runner/requirements.lock ($(grep -vc '^#' runner/requirements.lock) packages)"
