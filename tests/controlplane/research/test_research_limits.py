"""What one research message may carry: published for the PWA (GET /api/research/limits, from the running
server's setting) and enforced by the server (a picture the model sees is at most 5 MB)."""

from __future__ import annotations

import base64

from autocode_runner.contract.chat import MAX_IMAGE_BYTES, MODEL_IMAGE_TYPES
from fastapi.testclient import TestClient

from controlplane.config import Settings
from tests.support.app import Account


def test_the_limits_are_the_servers_own(client: TestClient, settings: Settings, alice: Account) -> None:
    answer = client.get("/api/research/limits", headers=alice.headers)
    assert answer.status_code == 200, answer.text
    limits = answer.json()
    assert limits["max_message_bytes"] == settings.max_chat_message_bytes
    assert limits["max_image_bytes"] == MAX_IMAGE_BYTES and limits["image_types"] == list(MODEL_IMAGE_TYPES)
    assert client.get("/api/research/limits").status_code == 401, "only for people signed in"


def test_a_picture_over_the_models_limit_is_refused_in_plain_words(client: TestClient, alice: Account) -> None:
    picture = base64.b64encode(b"\x89PNG" + b"0" * MAX_IMAGE_BYTES).decode("ascii")
    body = {"text": "look", "attachments": [{"name": "big.png", "media_type": "image/png", "content_base64": picture}]}
    answer = client.post("/api/research/1/message", json=body, headers=alice.headers)
    assert answer.status_code == 422, answer.text
    (problem,) = answer.json()["detail"]
    assert problem["loc"][-1] == "content_base64" and "at most 5 MB" in problem["msg"], problem
