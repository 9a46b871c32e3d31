"""The scripted provider servers (standard library only: they run with Debian's python3 inside test sandboxes)."""

from pathlib import Path

FAKES = Path(__file__).parent
