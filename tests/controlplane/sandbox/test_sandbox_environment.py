"""What every process in a sandbox finds in its environment, from the settings."""

from __future__ import annotations

from controlplane.config import Settings
from controlplane.sandbox.backend import SandboxUser
from controlplane.sandbox.docker_engine import sandbox_environment


def test_the_web_search_server_reaches_the_sandbox_only_when_set(settings: Settings) -> None:
    user = SandboxUser(id=3, username="alice")
    plain = sandbox_environment(settings, user)
    assert plain == {"HOME": "/home/agent", "USER": "alice", "AUTOCODE_USERNAME": "alice"}
    searching = settings.model_copy(update={"web_search_url": "http://searx.lan:8080"})
    assert sandbox_environment(searching, user)["SEARXNG_BASE_URL"] == "http://searx.lan:8080"
