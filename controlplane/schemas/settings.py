from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AnyHttpUrl, BaseModel, Field, StringConstraints

from controlplane.schemas.common import STRICT_BODY, SaidAs

# Each pattern with its rule in words: what a person reads when a value does not match (api/validation_messages.py).
PROVIDER_PATTERN = r"^[a-z][a-z0-9_-]{1,31}$"
PROVIDER_RULE = (
    'Use 2 to 32 characters: a lowercase letter first, then lowercase letters, digits, _ or -, like "openai".'
)
API_KEY_PATTERN = r"^\S+$"
API_KEY_MIN, API_KEY_MAX = 8, 1000
API_KEY_RULE = f"Paste the whole key: {API_KEY_MIN} to {API_KEY_MAX:,} characters, without spaces or line breaks."
BASE_URL_RULE = "Use a web address starting with http:// or https://, like https://llm.example.com."

Provider = Annotated[str, StringConstraints(strip_whitespace=True, pattern=PROVIDER_PATTERN), SaidAs(PROVIDER_RULE)]
BaseUrl = Annotated[AnyHttpUrl, SaidAs(BASE_URL_RULE)]
SecretValue = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=API_KEY_MIN, max_length=API_KEY_MAX, pattern=API_KEY_PATTERN),
    SaidAs(API_KEY_RULE),
]


class ApiKeyCreate(BaseModel):
    model_config = STRICT_BODY

    provider: Provider = Field(description='Lowercase provider name, e.g. "openai" or "anthropic"')
    key: SecretValue
    base_url: BaseUrl | None = Field(default=None, description="Another endpoint for this provider")


class ApiKeyPublic(BaseModel):
    """What the API shows of a stored key: never the key itself, only its last four characters."""

    id: int
    provider: str
    last_four: str
    base_url: str | None
    created_at: datetime


class Preferences(BaseModel):
    model_config = STRICT_BODY

    theme: Literal["system", "light", "dark"] = "system"
    language: Literal["en", "cs"] = "en"
    terminal_font_size: int = Field(default=14, ge=8, le=32)
