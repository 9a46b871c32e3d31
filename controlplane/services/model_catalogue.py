"""The models the PWA offers, per provider, and which of them suit a person's keys.

The providers are the ones a coding project's manager can talk to (the runner's contract names them); each has a
plain label, what its key is for, and a few suggested models (those of the templates, and no more). Keys are
per person, so every answer that mentions keys is about one user's keys.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from autocode_runner.contract.providers import PROVIDER_NAMES, PROVIDERS
from sqlmodel import Session, col, select

from controlplane.models import ApiKey
from controlplane.models.agents import AgentType
from controlplane.projects.keys import CLAUDE_PROVIDER, provider_of
from controlplane.schemas.agents import (
    KeyNeedPublic,
    ModelCataloguePublic,
    ModelChoicePublic,
    ProviderPublic,
    TemplateModelPublic,
)
from controlplane.services.agent_catalogue import TEMPLATES, AgentTemplate, TemplateKey


@dataclass(frozen=True)
class ModelChoice:
    name: str  # "provider/model", as an agent stores it
    label: str  # what people read: "Claude Opus 4.6"


@dataclass(frozen=True)
class ProviderEntry:
    name: str  # the model prefix and the name its key is stored under: "anthropic"
    label: str  # "Anthropic"
    purpose: str  # one sentence: what this provider's key is used for
    models: tuple[ModelChoice, ...]  # suggestions, the first one preferred


@dataclass(frozen=True)
class KeyNeed:
    """A key an agent type needs whatever its model: a coding agent's Claude Code always talks to Anthropic."""

    type: AgentType
    provider: str
    reason: str


_ENTRIES = (
    ProviderEntry(
        "openai",
        PROVIDER_NAMES["openai"],
        "For OpenAI's GPT models, when one of them is the model that plans and checks the work.",
        (ModelChoice("openai/gpt-5.3-codex", "GPT-5.3 Codex"), ModelChoice("openai/gpt-5", "GPT-5")),
    ),
    ProviderEntry(
        "anthropic",
        PROVIDER_NAMES["anthropic"],
        "For Claude models, and for Claude Code, which writes the code in every coding project.",
        (
            ModelChoice("anthropic/claude-opus-4-6", "Claude Opus 4.6"),
            ModelChoice("anthropic/claude-sonnet-4-5", "Claude Sonnet 4.5"),
        ),
    ),
)
# In the contract's order; a provider the manager understands without an entry here fails at import.
CATALOGUE: dict[str, ProviderEntry] = {name: {e.name: e for e in _ENTRIES}[name] for name in PROVIDERS}

KEY_NEEDS = (
    KeyNeed(
        "coding",
        CLAUDE_PROVIDER,
        "Claude Code, which writes the code in coding projects, always uses an Anthropic key, whatever the model "
        "that plans.",
    ),
)


def key_providers(session: Session, user_id: int) -> list[str]:
    """The providers this user has a key for (another person's keys never count)."""
    rows = session.exec(select(ApiKey.provider).where(ApiKey.user_id == user_id).order_by(col(ApiKey.provider)))
    return list(rows.all())


def suggested_model(template: AgentTemplate, keyed: Collection[str]) -> str:
    """The template's model when its provider has a key; else the first suggestion of a provider that has one;
    else the template's model (the PWA then says which key is missing)."""
    if provider_of(template.model) in keyed:
        return template.model
    for entry in CATALOGUE.values():
        if entry.name in keyed:
            return entry.models[0].name
    return template.model


def suggested_models(keyed: Collection[str]) -> dict[TemplateKey, str]:
    """Template key -> the model a new agent from it should start with, for these keys."""
    return {template.key: suggested_model(template, keyed) for template in TEMPLATES.values()}


def catalogue_for(session: Session, user_id: int) -> ModelCataloguePublic:
    keyed = key_providers(session, user_id)
    return ModelCataloguePublic(
        providers=[
            ProviderPublic(
                name=entry.name,
                label=entry.label,
                purpose=entry.purpose,
                has_key=entry.name in keyed,
                models=[ModelChoicePublic(name=m.name, label=m.label) for m in entry.models],
            )
            for entry in CATALOGUE.values()
        ],
        key_providers=keyed,
        needs=[KeyNeedPublic(type=n.type, provider=n.provider, reason=n.reason) for n in KEY_NEEDS],
        templates=[TemplateModelPublic(template=key, model=model) for key, model in suggested_models(keyed).items()],
    )
