"""GET /api/models: the model choices per provider, the signed-in user's keys, and each template's model for them."""

from __future__ import annotations

from typing import Any

from autocode_runner.contract.providers import PROVIDERS
from fastapi.testclient import TestClient

from controlplane.services.agent_catalogue import TEMPLATES
from tests.support.app import Account

FAKE_KEY = "sk-test-not-a-real-key-0000"


def catalogue(client: TestClient, account: Account) -> dict[str, Any]:
    response = client.get("/api/models", headers=account.headers)
    assert response.status_code == 200, response.text
    return response.json()


def add_key(client: TestClient, account: Account, provider: str) -> None:
    response = client.post(
        "/api/settings/api-keys", json={"provider": provider, "key": FAKE_KEY}, headers=account.headers
    )
    assert response.status_code == 201, response.text


def template_models(body: dict[str, Any]) -> dict[str, str]:
    return {entry["template"]: entry["model"] for entry in body["templates"]}


def test_needs_a_sign_in(client: TestClient) -> None:
    assert client.get("/api/models").status_code == 401


def test_every_provider_the_manager_understands_has_a_label_a_purpose_and_suggestions(
    client: TestClient, alice: Account
) -> None:
    providers = catalogue(client, alice)["providers"]
    assert [p["name"] for p in providers] == list(PROVIDERS)
    labels = {p["name"]: p["label"] for p in providers}
    assert labels == {"openai": "OpenAI", "anthropic": "Anthropic"}
    for provider in providers:
        assert provider["purpose"].endswith(".")
        assert provider["models"], provider["name"]
        for model in provider["models"]:
            assert model["name"].startswith(f"{provider['name']}/")
            assert model["label"] and "/" not in model["label"]
    suggested = {m["name"] for p in providers for m in p["models"]}
    # Every template's own model is one of the choices.
    assert {t.model for t in TEMPLATES.values()} <= suggested


def test_a_new_member_has_no_keys_and_keeps_the_templates_models(client: TestClient, alice: Account) -> None:
    body = catalogue(client, alice)
    assert body["key_providers"] == []
    assert [p["has_key"] for p in body["providers"]] == [False, False]
    assert template_models(body) == {key: t.model for key, t in TEMPLATES.items()}


def test_a_coding_agent_always_needs_an_anthropic_key(client: TestClient, alice: Account) -> None:
    needs = catalogue(client, alice)["needs"]
    assert [(n["type"], n["provider"]) for n in needs] == [("coding", "anthropic")]
    assert "Claude Code" in needs[0]["reason"]


def test_with_only_an_anthropic_key_the_coding_template_starts_with_a_claude_model(
    client: TestClient, alice: Account
) -> None:
    add_key(client, alice, "anthropic")
    body = catalogue(client, alice)
    assert body["key_providers"] == ["anthropic"]
    assert {p["name"]: p["has_key"] for p in body["providers"]} == {"openai": False, "anthropic": True}
    models = template_models(body)
    assert TEMPLATES["coding"].model.startswith("openai/")
    assert models["coding"] == "anthropic/claude-opus-4-6"  # Anthropic's first suggestion
    assert models["research"] == TEMPLATES["research"].model  # already Anthropic's


def test_with_only_an_openai_key_the_anthropic_templates_start_with_a_gpt_model(
    client: TestClient, alice: Account
) -> None:
    add_key(client, alice, "openai")
    models = template_models(catalogue(client, alice))
    assert models["coding"] == TEMPLATES["coding"].model
    assert models["research"] == "openai/gpt-5.3-codex"
    assert models["social_media"] == "openai/gpt-5.3-codex"


def test_with_both_keys_every_template_keeps_its_own_model(client: TestClient, alice: Account) -> None:
    add_key(client, alice, "openai")
    add_key(client, alice, "anthropic")
    assert template_models(catalogue(client, alice)) == {key: t.model for key, t in TEMPLATES.items()}


def test_a_key_for_another_provider_is_listed_but_suggests_nothing(client: TestClient, alice: Account) -> None:
    add_key(client, alice, "openrouter")
    body = catalogue(client, alice)
    assert body["key_providers"] == ["openrouter"]
    assert template_models(body) == {key: t.model for key, t in TEMPLATES.items()}


def test_another_users_keys_never_count(client: TestClient, alice: Account, bob: Account) -> None:
    add_key(client, bob, "anthropic")
    add_key(client, bob, "openai")
    body = catalogue(client, alice)
    assert body["key_providers"] == []
    assert not any(p["has_key"] for p in body["providers"])
    assert template_models(body)["research"] == TEMPLATES["research"].model
    assert catalogue(client, bob)["key_providers"] == ["anthropic", "openai"]
