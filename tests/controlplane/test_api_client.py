"""The PWA's generated API client must match the API the control plane serves.

frontend/openapi.json is the document the client was generated from, and frontend/src/api/schema.d.ts is
openapi-typescript's output for it; `make api-client` regenerates both.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from controlplane.config import PROJECT_ROOT
from controlplane.openapi_document import openapi_document, render

COMMITTED_DOCUMENT = PROJECT_ROOT / "frontend" / "openapi.json"
GENERATED_CLIENT = PROJECT_ROOT / "frontend" / "src" / "api" / "schema.d.ts"
GENERATOR = PROJECT_ROOT / "frontend" / "node_modules" / ".bin" / "openapi-typescript"
FIX = "the PWA's API client is stale: run `make api-client` and commit frontend/openapi.json and schema.d.ts"


def test_the_committed_document_is_the_served_api() -> None:
    assert COMMITTED_DOCUMENT.read_text(encoding="utf-8") == render(openapi_document()), FIX


def test_the_generated_client_is_the_generators_output(tmp_path: Path) -> None:
    if not GENERATOR.exists() or shutil.which("node") is None:
        pytest.fail("frontend dependencies are missing: run `make frontend` (make test installs them first)")
    output = tmp_path / "schema.d.ts"
    subprocess.run(
        [str(GENERATOR), str(COMMITTED_DOCUMENT), "-o", str(output)],
        check=True,
        capture_output=True,
        cwd=PROJECT_ROOT / "frontend",
        timeout=120,
    )
    assert output.read_text(encoding="utf-8") == GENERATED_CLIENT.read_text(encoding="utf-8"), FIX


def test_the_openapi_command_prints_the_document(capsys: pytest.CaptureFixture[str]) -> None:
    from controlplane.cli import main

    assert main(["openapi"]) == 0
    assert capsys.readouterr().out == render(openapi_document())
