"""The model providers a coding project's manager can talk to, named once for the runner (which builds the
manager's config for one of them) and the control plane (which offers their models and asks for their keys)."""

from __future__ import annotations

PROVIDERS = ("openai", "anthropic")  # the model prefixes the manager understands: "openai/<model>"
# Their names as a person reads them; an unknown provider's id is shown as it is.
PROVIDER_NAMES = {"openai": "OpenAI", "anthropic": "Anthropic"}


def provider_name(provider: str) -> str:
    return PROVIDER_NAMES.get(provider, provider)
