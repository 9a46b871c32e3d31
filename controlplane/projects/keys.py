"""Which provider keys a coding project needs, decrypted only for the instance that uses them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from controlplane.errors import MissingKey
from controlplane.models import ApiKey
from controlplane.security.secretbox import SecretBox

# Claude Code talks to Anthropic's Messages API whatever model the manager uses.
CLAUDE_PROVIDER = "anthropic"


@dataclass(frozen=True)
class ProviderKey:
    provider: str
    api_key: str
    base_url: str | None


def provider_of(model: str) -> str:
    """ "openai/gpt-5.3-codex" -> "openai" (agent models are validated as provider/model)."""
    return model.split("/", 1)[0]


def provider_key(session: Session, box: SecretBox, user_id: int, provider: str, purpose: str) -> ProviderKey:
    row = session.exec(select(ApiKey).where(ApiKey.user_id == user_id, ApiKey.provider == provider)).first()
    if row is None:
        raise MissingKey(provider, purpose)
    return ProviderKey(provider, box.decrypt(row.encrypted_key), row.base_url)


@dataclass(frozen=True)
class ProjectKeys:
    manager: ProviderKey
    claude: ProviderKey


def project_keys(session: Session, box: SecretBox, user_id: int, manager_model: str) -> ProjectKeys:
    """Both keys or a MissingKey naming the first one that is absent (the manager's first)."""
    manager = provider_key(session, box, user_id, provider_of(manager_model), f"the manager model {manager_model}")
    claude = provider_key(session, box, user_id, CLAUDE_PROVIDER, "Claude Code")
    return ProjectKeys(manager, claude)
