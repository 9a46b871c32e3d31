"""The social media manager's world for browser tests: the scripted Graph server on loopback, and a real
`autocode serve` (with the built PWA) reaching it through the settings a family sets. The server's public address
is its own loopback URL, chosen before it starts, so the scripted Meta really fetches post media from our signed
URLs and its login dialog really sends the browser back to our callback."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
from PIL import Image
from playwright.sync_api import Page, expect

from controlplane.config import Settings
from tests.support.fakes.graph_server import GraphServer, IgAccount
from tests.support.fakes.graph_server import Page as FacebookPage
from tests.support.live_server import free_port, serving
from tests.support.pwa import DIST, bearer, goto

ADMIN_PASSWORD = "admin-password-1"
PASSWORD = "family-password-1"
IG_ID = "17841400000000001"
PAGE_ID = "2001"


@dataclass
class Family:
    """What the scripted Meta knows of the family: Anna, her Page and the Instagram account linked to it."""

    ig: IgAccount
    page: FacebookPage


def seed_family(graph: GraphServer) -> Family:
    graph.now = datetime.now(UTC).replace(microsecond=0)  # Meta's clock is the server's: the DM window is real
    graph.add_user("1001", "Anna")
    ig = graph.add_ig_account(IG_ID, "anna.bakes", name="Anna Bakes IG")
    page = graph.add_page(PAGE_ID, "Anna Bakes", instagram=ig)
    return Family(ig, page)


def meta_env(graph: GraphServer, base: str) -> dict[str, str]:
    return {
        "AUTOCODE_META_APP_ID": graph.app_id,
        "AUTOCODE_META_APP_SECRET": graph.app_secret,
        "AUTOCODE_META_GRAPH_URL": graph.url,
        "AUTOCODE_INSTAGRAM_GRAPH_URL": graph.url,
        "AUTOCODE_META_DIALOG_URL": graph.url,
        "AUTOCODE_INSTAGRAM_DIALOG_URL": graph.url,
        "AUTOCODE_PUBLIC_URL": base,
        "AUTOCODE_SOCIAL_PUBLISH_INTERVAL_SECONDS": "0.2",
        "AUTOCODE_SOCIAL_POLL_SECONDS": "0.2",
        "AUTOCODE_SOCIAL_RETRY_SECONDS": "0.2",
    }


def sandbox_env(settings: Settings) -> dict[str, str]:
    """What tests.support.engine.serving_pwa gives a server so that it runs this test's sandboxes."""
    return {
        "AUTOCODE_SANDBOXES_ENABLED": "true",
        "AUTOCODE_SANDBOX_INSTANCE": settings.sandbox_instance,
        "AUTOCODE_SANDBOX_NAME_PREFIX": settings.sandbox_name_prefix,
        "AUTOCODE_SANDBOX_NETWORK": settings.sandbox_network,
        "AUTOCODE_SANDBOX_NETWORK_INTERNAL": "true",
        "AUTOCODE_SANDBOX_MEMORY": settings.sandbox_memory,
    }


@contextmanager
def serving_social(data_dir: Path, graph: GraphServer, **env: str) -> Iterator[str]:
    """`autocode serve` with the built PWA, talking to `graph` as Meta, its public address its own URL; yields it."""
    if not (DIST / "index.html").is_file():
        raise AssertionError("the PWA is not built: run `npm --prefix frontend run build` (make test builds it)")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = {
        "AUTOCODE_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "AUTOCODE_FRONTEND_DIST": str(DIST),
        **meta_env(graph, base),
        **env,
    }
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir.parent / f"serve-{port}.log"  # a file, never a pipe that could fill up and block the server
    with serving(data_dir, port=port, log=log, **settings) as (served, _):
        yield served


def family_account(base: str, username: str) -> dict[str, str]:
    """A family member's account (made by the admin); their API header."""
    admin = bearer(base, "admin", ADMIN_PASSWORD)
    made = httpx.post(f"{base}/api/users", headers=admin, json={"username": username, "password": PASSWORD})
    assert made.status_code == 201, made.text
    return bearer(base, username, PASSWORD)


def social_agent(base: str, headers: dict[str, str], name: str = "Bakery posts") -> int:
    made = httpx.post(f"{base}/api/agents", headers=headers, json={"template": "social_media", "name": name})
    assert made.status_code == 201, made.text
    agent_id: int = made.json()["id"]
    return agent_id


def connect_in_browser(page: Page, base: str, agent_id: int) -> None:
    """Accounts → "Connect with Facebook" → Meta's (scripted) dialog → our callback → the PWA's connect page, where
    both accounts the login reaches are ticked and connected → back on the agent's Accounts."""
    goto(page, f"{base}/agents/{agent_id}?tab=accounts")
    page.get_by_role("button", name="Connect with Facebook").click()
    expect(page.get_by_role("heading", name="Connect accounts", level=1)).to_be_visible()
    expect(page.get_by_role("checkbox", name="Facebook: Anna Bakes")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Instagram: Anna Bakes IG (@anna.bakes)")).to_be_checked()
    page.get_by_role("button", name="Connect", exact=True).click()
    connected = page.get_by_role("list", name="Connected accounts")
    expect(connected.locator('[data-status="connected"]')).to_have_count(2)
    assert page.url.endswith(f"/agents/{agent_id}?tab=accounts")


def jpeg(width: int = 1080, height: int = 1080) -> bytes:
    """A picture as a phone takes it (Instagram takes JPEG)."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 150, 90)).save(out, "JPEG", quality=85)
    return out.getvalue()
