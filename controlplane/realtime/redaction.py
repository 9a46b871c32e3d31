"""Keeps tickets and tokens out of the server's logs (uvicorn logs WebSocket paths with their query)."""

from __future__ import annotations

import logging
import re
from typing import Any

SECRET_QUERY = re.compile(r"((?:ticket|token|access_token|refresh_token)=)[^&\s\"']+", re.IGNORECASE)
BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+")


def redact(text: str) -> str:
    return BEARER.sub(r"\1[redacted]", SECRET_QUERY.sub(r"\1[redacted]", text))


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's own logging config with the redaction filter on every handler."""
    from uvicorn.config import LOGGING_CONFIG

    config = {**LOGGING_CONFIG, "filters": {"redact_secrets": {"()": RedactSecrets}}}
    config["handlers"] = {
        name: {**handler, "filters": ["redact_secrets"]} for name, handler in LOGGING_CONFIG["handlers"].items()
    }
    return config
