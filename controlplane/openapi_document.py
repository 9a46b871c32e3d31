"""The control plane's OpenAPI document, as the PWA's generated client is built from it.

Built from an app with a throwaway data directory and no sandboxes, so producing it touches nothing real.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from controlplane.config import Settings


def openapi_document() -> dict[str, Any]:
    from controlplane.main import create_app

    with tempfile.TemporaryDirectory(prefix="autocode-openapi-") as data_dir:
        app = create_app(Settings(data_dir=Path(data_dir), sandboxes_enabled=False))
        document = app.openapi()
        app.state.engine.dispose()
        return document


def render(document: dict[str, Any]) -> str:
    """Stable text: sorted keys and a final newline, so a diff shows only real API changes."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
