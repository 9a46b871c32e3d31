"""The sandbox's tmux as the image configures it (sandbox-image/etc/tmux.conf)."""

from __future__ import annotations

import pytest

from tests.support.engine import Harness

pytestmark = pytest.mark.docker


def test_the_runners_tmux_passes_focus_events_on(harness: Harness) -> None:
    """Claude Code asks for focus events and prints a hint about them until tmux passes them on."""
    user = harness.user("focus")
    harness.call(user, "tmux.new", {"name": "shell"})
    code, output = harness.sh(user, "tmux show-options -g focus-events")
    assert code == 0 and output.strip() == "focus-events on", output
