"""A message sent to a course's tutor while the sandbox restarts is not lost (real parts: the API, the sandbox,
the runner, nanobot and the scripted Anthropic server inside the sandbox). The sandbox restarts while the reply is
being written; the scripted server restarts with it only when the test starts it again, so the message either
gets its reply or stays with an error and a retry that then succeeds."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.fakes.claude_sandbox import wait_until
from tests.support.story_course import ASK, StoryCourse

pytestmark = [pytest.mark.docker, pytest.mark.slow]
PORT = 8767


def test_a_message_sent_while_the_sandbox_restarts_is_answered_or_kept_for_a_retry(harness: Any) -> None:
    story = StoryCourse.create(harness, "pupil", port=PORT, words=300, key="sk-ant-test-learning-0002")
    turn = story.ask()
    harness.run(harness.app.state.sandboxes.restart, story.user)

    ended = wait_until(
        lambda: story.ended(turn, "completed", "error"), 120, "the message to be answered, or kept with an error"
    )
    mine = next(message for message in story.messages() if message["id"] == turn)
    assert mine["content"] == ASK, "the message is kept"
    if ended["type"] == "error":
        assert mine["status"] == "failed" and mine["retryable"], mine
        ended = story.retry(turn)  # the scripted server went down with the sandbox
    assert ended["type"] == "completed" and ended["message"]["content"], ended
