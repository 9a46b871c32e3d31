"""The scripted Graph server and a real GraphClient pointed at it, with its waits recorded instead of slept."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

import pytest

from controlplane.social.graph.client import GraphClient
from controlplane.social.graph.types import GraphConfig
from tests.support.fakes.graph_server import GraphServer

T = TypeVar("T")


class Sleeps:
    """The injected `sleep`: records each wait and returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def server() -> Iterator[GraphServer]:
    with GraphServer() as graph:
        yield graph


@pytest.fixture
def config(server: GraphServer) -> GraphConfig:
    return GraphConfig(
        app_id=server.app_id,
        app_secret=server.app_secret,
        graph_url=server.url,
        instagram_url=server.url,
        dialog_url=server.url,
        instagram_dialog_url=server.url,
        version="v24.0",
    )


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def make_client(config: GraphConfig, server: GraphServer, sleeps: Sleeps) -> Callable[[], GraphClient]:
    """Builds a real client on the server's clock with the recorded sleeps (call it inside the test's loop)."""
    return lambda: GraphClient(config, sleep=sleeps, clock=lambda: server.now)


def run(scenario: Callable[[], Awaitable[T]]) -> T:
    """Runs one test's async scenario with a deadline, so a hang fails instead of stalling the suite."""

    async def bounded() -> T:
        return await asyncio.wait_for(scenario(), 20)

    return asyncio.run(bounded())
