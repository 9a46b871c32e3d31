"""Connecting accounts against the scripted Meta: OAuth with the long-lived exchange, the pick among Pages and their
Instagram accounts, Instagram Login; states that are forged, reused or another person's are refused; tokens are
sealed (never in clear in the database file, never in an answer); the watchdog refreshes and warns; owners only."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
from sqlmodel import Session, select

from controlplane.config import Settings
from controlplane.main import create_app
from controlplane.models.social import SocialAccount
from tests.controlplane.social.conftest import SocialWorld
from tests.support.fakes.graph_server import GraphServer


def seed_family(graph: GraphServer) -> None:
    user = graph.add_user("1001", "Anna")
    bakes = graph.add_ig_account("17841400000000001", "anna.bakes")
    graph.add_page("2001", "Anna Bakes", instagram=bakes, user=user.id)
    graph.add_page("2002", "Anna's Garden", user=user.id)


def test_a_facebook_login_connects_the_chosen_pages_and_instagram_accounts(world: SocialWorld) -> None:
    graph = world.graph
    seed_family(graph)
    anna = world.person("anna")
    agent = world.social_agent(anna)

    done = anna.post("/api/social/oauth/callback", json=world.consent(anna, agent))
    assert done.status_code == 200, done.text
    connection = done.json()
    candidates = {candidate["key"]: candidate for candidate in connection["candidates"]}
    assert set(candidates) == {"facebook:2001", "instagram:17841400000000001", "facebook:2002"}
    assert candidates["instagram:17841400000000001"]["note"] == "Through the Page Anna Bakes"
    assert "token" not in done.text.lower().replace("access_token", "")
    exchanges = graph.requests_to("oauth/access_token")
    assert [r.query.get("grant_type") for r in exchanges] == [None, "fb_exchange_token"], "code, then long-lived"

    picked = anna.post(f"/api/social/connections/{connection['id']}", json={"keys": ["instagram:17841400000000001"]})
    assert picked.status_code == 200, picked.text
    accounts = anna.get("/api/social/accounts", params={"agent_id": agent}).json()
    assert [(a["platform"], a["name"], a["username"], a["status"]) for a in accounts] == [
        ("instagram", "anna.bakes", "anna.bakes", "connected")
    ]
    assert "EAApage" not in str(accounts)
    again = anna.post(f"/api/social/connections/{connection['id']}", json={"keys": ["facebook:2001"]})
    assert again.status_code == 404, "a connection is picked from once"


def test_states_that_are_reused_forged_or_someone_elses_are_refused(world: SocialWorld) -> None:
    seed_family(world.graph)
    anna, ben = world.person("anna"), world.person("ben")
    agent = world.social_agent(anna)
    consent = world.consent(anna, agent)

    stolen = ben.post("/api/social/oauth/callback", json=consent)
    assert stolen.status_code == 409 and "start again" in stolen.json()["detail"]
    forged = anna.post("/api/social/oauth/callback", json={**consent, "state": "made-up-state"})
    assert forged.status_code == 409
    first = anna.post("/api/social/oauth/callback", json=consent)
    assert first.status_code == 200, first.text
    reused = anna.post("/api/social/oauth/callback", json=consent)
    assert reused.status_code == 409, "a state is used once"
    assert ben.get(f"/api/social/connections/{first.json()['id']}").status_code == 404
    later = world.consent(anna, agent)
    world.graph.now += timedelta(minutes=11)
    expired = anna.post("/api/social/oauth/callback", json=later)
    assert expired.status_code == 409, "a state lasts ten minutes"


def test_no_token_is_in_clear_in_the_database_file_or_any_answer(world: SocialWorld) -> None:
    graph = world.graph
    seed_family(graph)
    graph.add_ig_account("17841400000000009", "anna.alone", login=True)
    anna = world.person("anna")
    agent = world.social_agent(anna)
    world.connect(anna, agent)
    world.connect(anna, agent, login="instagram")

    accounts = anna.get("/api/social/accounts", params={"agent_id": agent}).json()
    assert len(accounts) == 4
    tokens = [record.value for record in graph.tokens.values()]
    assert tokens, "the scripted Meta issued tokens"
    database = (world.settings.data_dir / "autocode.db").read_bytes()
    for suffix in ("-wal", "-shm"):
        extra = Path(str(world.settings.data_dir / "autocode.db") + suffix)
        if extra.exists():
            database += extra.read_bytes()
    leaked = [token for token in tokens if token.encode() in database]
    assert leaked == [], "tokens are sealed before they are stored"
    answers = str(accounts) + anna.get("/api/social/setup").text
    assert not [token for token in tokens if token in answers]


def test_instagram_login_connects_an_account_without_a_page_and_the_watchdog_refreshes_it(
    world: SocialWorld,
) -> None:
    graph = world.graph
    alone = graph.add_ig_account("17841400000000009", "anna.alone", login=True)
    anna = world.person("anna")
    agent = world.social_agent(anna)
    [account] = world.connect(anna, agent, login="instagram")
    assert (account["platform"], account["login"], account["username"]) == ("instagram", "instagram", "anna.alone")
    assert account["token_expires_at"] is not None, "a long-lived Instagram token lasts 60 days"
    assert graph.requests_to("access_token")[-1].query["grant_type"] == "ig_exchange_token"

    with Session(world.app.state.engine) as session:
        sealed_before = session.exec(select(SocialAccount)).one().access_token
    graph.now += timedelta(days=2)
    checked = anna.post(f"/api/social/accounts/{account['id']}/check")
    assert checked.status_code == 200, checked.text
    assert checked.json()["status"] == "connected"
    assert len(graph.requests_to("refresh_access_token")) == 1
    with Session(world.app.state.engine) as session:
        stored = session.exec(select(SocialAccount)).one()
    assert stored.access_token != sealed_before, "the refreshed token replaced the old one"
    assert alone.id == stored.external_id


def test_the_watchdog_shows_reconnect_before_access_ends_and_after_a_dead_token(world: SocialWorld) -> None:
    graph = world.graph
    seed_family(graph)
    anna = world.person("anna")
    agent = world.social_agent(anna)
    accounts = {a["name"]: a for a in world.connect(anna, agent, keys=["facebook:2001", "facebook:2002"])}

    graph.now += timedelta(days=85)  # data access ends 90 days after the login
    checked = anna.post(f"/api/social/accounts/{accounts['Anna Bakes']['id']}/check").json()
    assert checked["status"] == "expiring" and "Reconnect" in checked["status_note"]
    assert checked["data_access_expires_at"] is not None

    graph.kill_token(graph.pages["2002"].token)
    garden_id = accounts["Anna's Garden"]["id"]
    assert anna.post(f"/api/social/accounts/{garden_id}/check").status_code == 200
    garden = anna.get("/api/social/accounts", params={"agent_id": agent}).json()
    statuses = {a["name"]: (a["status"], a["status_note"]) for a in garden}
    assert statuses["Anna's Garden"][0] == "reconnect"
    assert statuses["Anna's Garden"][1]

    world.connect(anna, agent, keys=["facebook:2002"])
    healed = {a["name"]: a["status"] for a in anna.get("/api/social/accounts", params={"agent_id": agent}).json()}
    assert healed["Anna's Garden"] == "connected", "connecting again heals the account"


def test_accounts_are_their_owners_only_and_only_social_agents_have_them(world: SocialWorld) -> None:
    seed_family(world.graph)
    anna, ben = world.person("anna"), world.person("ben")
    agent = world.social_agent(anna)
    [account, *_] = world.connect(anna, agent)

    assert ben.get("/api/social/accounts", params={"agent_id": agent}).status_code == 404
    assert ben.get("/api/social/connect/facebook", params={"agent_id": agent}).status_code == 404
    assert ben.delete(f"/api/social/accounts/{account['id']}").status_code == 404
    assert ben.post(f"/api/social/accounts/{account['id']}/check").status_code == 404
    assert ben.get("/api/social/feed", params={"agent_id": agent}).status_code == 404
    assert ben.get("/api/social/accounts").json() == []
    research = ben.post("/api/agents", json={"template": "research", "name": "Facts"}).json()
    refused = ben.get("/api/social/connect/facebook", params={"agent_id": research["id"]})
    assert refused.status_code == 409 and "social media manager" in refused.json()["detail"]

    assert anna.delete(f"/api/social/accounts/{account['id']}").status_code == 204
    assert account["id"] not in [a["id"] for a in anna.get("/api/social/accounts").json()]


def test_a_server_without_a_meta_app_explains_instead_of_failing(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        secret_key="test-secret-" + "x" * 40,
        bcrypt_rounds=4,
        frontend_dist=tmp_path / "none",
        sandboxes_enabled=False,
    )
    from fastapi.testclient import TestClient

    from controlplane.services.users import create_user

    app = create_app(settings)
    with TestClient(app) as client:
        with Session(app.state.engine) as session:
            create_user(session, settings, "anna", "user-password-1")
        token = client.post("/api/auth/login", json={"username": "anna", "password": "user-password-1"}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        setup = client.get("/api/social/setup", headers=headers).json()
        assert setup["ready"] is False and setup["missing"] == ["meta_app", "public_url"]
        agent = client.post("/api/agents", json={"template": "social_media", "name": "Posts"}, headers=headers)
        refused = client.get("/api/social/connect/facebook", params={"agent_id": agent.json()["id"]}, headers=headers)
        assert refused.status_code == 409 and "Meta app" in refused.json()["detail"]
        assert client.get("/api/social/feed", params={"agent_id": agent.json()["id"]}, headers=headers).json() == {
            "posts": [],
            "problems": [],
        }


def test_metas_callback_sends_the_browser_on_to_the_pwa(world: SocialWorld) -> None:
    answer = httpx.get(f"{world.base}/api/social/oauth/callback", params={"error": "access_denied"})
    assert answer.status_code == 303, "httpx follows no redirect unless asked"
    assert answer.headers["location"] == "/social/connect?error=access_denied"
