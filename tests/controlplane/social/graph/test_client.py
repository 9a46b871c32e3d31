"""GraphClient against the scripted server: retries in one place, back-off, rate limits, paging, the token header."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest

from controlplane.social.graph.client import GraphClient
from controlplane.social.graph.errors import GraphAction, GraphError, GraphUnreachable
from controlplane.social.graph.types import GraphConfig, Host
from tests.controlplane.social.graph.conftest import Sleeps, run
from tests.support.fakes.graph_server import GraphServer


@pytest.fixture
def page(server: GraphServer) -> str:
    server.add_user()
    server.add_page("2001", "Anna Bakes")
    return "EAApage2001"


@pytest.mark.parametrize("code", [1, 2])
def test_transient_errors_are_retried_with_growing_waits(
    server: GraphServer, page: str, sleeps: Sleeps, make_client: Callable[[], GraphClient], code: int
) -> None:
    server.fault("2001", code=code, times=3)

    async def scenario() -> dict[str, object]:
        async with make_client() as client:
            return await client.get(Host.FACEBOOK, "2001", page, {"fields": "name"})

    assert run(scenario) == {"id": "2001", "name": "Anna Bakes"}
    assert len(server.requests_to("2001")) == 4, "three failures, then the answer"
    assert sleeps.waits == [1.0, 2.0, 4.0]


def test_retries_end_after_max_attempts_with_metas_error(
    server: GraphServer, page: str, sleeps: Sleeps, make_client: Callable[[], GraphClient]
) -> None:
    server.fault("2001", code=2, times=10)

    async def scenario() -> GraphError:
        async with make_client() as client:
            with pytest.raises(GraphError) as caught:
                await client.get(Host.FACEBOOK, "2001", page)
        return caught.value

    error = run(scenario)
    assert error.action is GraphAction.RETRY and error.code == 2 and error.transient
    assert len(server.requests_to("2001")) == 4 and len(sleeps.waits) == 3


def test_a_fresh_object_read_with_100_33_is_retried(
    server: GraphServer, page: str, sleeps: Sleeps, make_client: Callable[[], GraphClient]
) -> None:
    server.fault("2001", code=100, subcode=33, message="Unsupported get request.")

    async def scenario() -> dict[str, object]:
        async with make_client() as client:
            return await client.get(Host.FACEBOOK, "2001", page)

    assert run(scenario)["id"] == "2001"
    assert len(server.requests_to("2001")) == 2 and sleeps.waits == [1.0]


def test_a_post_is_not_retried_unless_idempotent(
    server: GraphServer, page: str, sleeps: Sleeps, make_client: Callable[[], GraphClient]
) -> None:
    server.fault("2001/feed", code=2, times=2)

    async def scenario() -> tuple[GraphError, dict[str, object]]:
        async with make_client() as client:
            with pytest.raises(GraphError) as caught:
                await client.post(Host.FACEBOOK, "2001/feed", page, {"message": "hello"})
            again = await client.post(Host.FACEBOOK, "2001/feed", page, {"message": "hello"}, idempotent=True)
        return caught.value, again

    error, again = run(scenario)
    assert error.action is GraphAction.RETRY
    assert "id" in again
    assert len(server.requests_to("2001/feed")) == 3, "one refused plain POST, one refused and one answered retry"
    assert sleeps.waits == [1.0]


def test_a_rate_limit_raises_wait_with_the_time_meta_gives(
    server: GraphServer, page: str, sleeps: Sleeps, make_client: Callable[[], GraphClient]
) -> None:
    server.fault("2001", code=80001, regain_minutes=12)
    server.fault("2002", code=32)

    async def scenario() -> tuple[GraphError, GraphError]:
        async with make_client() as client:
            with pytest.raises(GraphError) as first:
                await client.get(Host.FACEBOOK, "2001", page)
            with pytest.raises(GraphError) as second:
                await client.get(Host.FACEBOOK, "2002", page)
        return first.value, second.value

    first, second = run(scenario)
    assert first.action is GraphAction.WAIT and first.retry_at == server.now + timedelta(minutes=12)
    assert second.action is GraphAction.WAIT and second.retry_at == server.now + timedelta(hours=1)
    assert len(server.requests_to("2001")) == 1, "a rate limit is not hammered with retries"


def test_usage_above_90_percent_pauses_before_the_next_call(
    server: GraphServer, page: str, sleeps: Sleeps, make_client: Callable[[], GraphClient]
) -> None:
    server.fault("2001", usage=95)

    async def scenario() -> list[float]:
        async with make_client() as client:
            await client.get(Host.FACEBOOK, "2001", page)
            high = client.last_usage
            assert sleeps.waits == [], "the answer itself is not delayed"
            await client.get(Host.FACEBOOK, "2001", page)
            assert sleeps.waits == [60.0], "the next call waited first"
            await client.get(Host.FACEBOOK, "2001", page)
            return [high, client.last_usage]

    assert run(scenario) == [95.0, 1.0]
    assert sleeps.waits == [60.0], "usage back to normal: no more pauses"


def test_business_use_case_usage_counts_too(
    server: GraphServer, page: str, sleeps: Sleeps, make_client: Callable[[], GraphClient]
) -> None:
    header = '{"2001":[{"type":"pages","call_count":12,"total_time":97,"total_cputime":5}]}'
    server.fault("2001", headers={"X-Business-Use-Case-Usage": header})

    async def scenario() -> float:
        async with make_client() as client:
            await client.get(Host.FACEBOOK, "2001", page)
            usage = client.last_usage
            await client.get(Host.FACEBOOK, "2001", page)
            return usage

    assert run(scenario) == 97.0
    assert sleeps.waits == [60.0]


def test_a_dropped_read_is_retried(
    server: GraphServer, page: str, sleeps: Sleeps, make_client: Callable[[], GraphClient]
) -> None:
    server.fault("2001", drop=True)

    async def scenario() -> dict[str, object]:
        async with make_client() as client:
            return await client.get(Host.FACEBOOK, "2001", page)

    assert run(scenario)["id"] == "2001"
    assert len(server.requests_to("2001")) == 2 and sleeps.waits == [1.0]


def test_a_server_that_is_gone_is_unreachable(config: GraphConfig, sleeps: Sleeps) -> None:
    import dataclasses
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gone = dataclasses.replace(config, graph_url=f"http://127.0.0.1:{port}")

    async def scenario() -> GraphUnreachable:
        async with GraphClient(gone, sleep=sleeps, max_attempts=3) as client:
            with pytest.raises(GraphUnreachable) as caught:
                await client.post(Host.FACEBOOK, "2001/feed", "EAApage2001", {"message": "x"})
        return caught.value

    error = run(scenario)
    assert not error.maybe_done, "a refused connection never carried the request"
    assert error.action is GraphAction.RETRY and sleeps.waits == [1.0, 2.0]


def test_paging_is_followed_to_its_end_on_our_base_with_the_token_out_of_the_url(
    server: GraphServer, page: str, make_client: Callable[[], GraphClient]
) -> None:
    for number in range(7):
        server.add_post("2001", caption=f"post {number}", media_type="TEXT")

    async def scenario() -> list[dict[str, object]]:
        async with make_client() as client:
            return await client.paged(Host.FACEBOOK, "2001/published_posts", page, {"fields": "id,message"})

    items = run(scenario)
    assert [item["message"] for item in items] == [f"post {n}" for n in range(7)]
    calls = server.requests_to("2001/published_posts")
    assert len(calls) == 4, "pages of 2: 2+2+2+1"
    assert all(call.query.get("fields") == "id,message" for call in calls), "next keeps the parameters"
    for call in server.requests:
        assert page not in call.url, "the token never travels in a URL"
        assert call.headers["authorization"] == f"Bearer {page}"


def test_url_carries_the_version(config: GraphConfig) -> None:
    client = GraphClient(config, http=httpx.AsyncClient())
    assert client.url(Host.FACEBOOK, "/2001/feed") == f"{config.graph_url}/v24.0/2001/feed"
    assert client.url(Host.INSTAGRAM, "access_token", versioned=False) == f"{config.instagram_url}/access_token"
