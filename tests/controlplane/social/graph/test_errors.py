"""classify(): every code of Meta's that the notes list, to the action and plain words the person sees."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from controlplane.social.graph.errors import GraphAction, classify

NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)


def body(code: int | None, message: str = "m", subcode: int | None = None) -> dict[str, object]:
    error: dict[str, object] = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "Axyz"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


@pytest.mark.parametrize(
    ("status", "payload", "action", "transient"),
    [
        (400, body(190, subcode=460), GraphAction.RECONNECT, False),
        (400, body(4), GraphAction.WAIT, False),
        (400, body(17), GraphAction.WAIT, False),
        (400, body(32), GraphAction.WAIT, False),
        (400, body(613), GraphAction.WAIT, False),
        (400, body(80001), GraphAction.WAIT, False),
        (400, body(80014), GraphAction.WAIT, False),
        (500, body(1), GraphAction.RETRY, True),
        (500, body(2), GraphAction.RETRY, True),
        (400, body(100, subcode=33), GraphAction.RETRY, True),
        (
            400,
            body(10, "(#10) This message is sent outside of allowed window.", 2018278),
            GraphAction.WINDOW_CLOSED,
            False,
        ),
        (
            400,
            body(
                200, "(#200) App does not have Advanced Access to pages_messaging and the recipient has no role on app"
            ),
            GraphAction.ADVANCED_ACCESS,
            False,
        ),
        (400, body(10, "(#10) Application does not have permission for this action"), GraphAction.ASK_ADMIN, False),
        (400, body(200, "(#200) Permissions error"), GraphAction.ASK_ADMIN, False),
        (400, body(299), GraphAction.ASK_ADMIN, False),
        (400, body(368), GraphAction.WAIT, False),
        (400, body(9007, subcode=2207027), GraphAction.NOT_READY, True),
        (400, body(100, subcode=2207027), GraphAction.NOT_READY, True),
        (400, body(9, subcode=2207042), GraphAction.QUOTA, False),
        (400, body(9004, subcode=2207052), GraphAction.FIX_MEDIA, False),
        (400, body(100, subcode=2207026), GraphAction.FIX_MEDIA, False),
        (400, body(100, subcode=2207020), GraphAction.RETRY, False),
        (400, body(100, "(#100) Invalid parameter"), GraphAction.FIX_INPUT, False),
        (502, None, GraphAction.RETRY, True),
        (503, "<html>Service Unavailable</html>", GraphAction.RETRY, True),
        (400, body(12345, "Something new at Meta"), GraphAction.ASK_ADMIN, False),
    ],
)
def test_each_code_maps_to_one_action(status: int, payload: object, action: GraphAction, transient: bool) -> None:
    error = classify(status, payload, {}, NOW)
    assert error.action is action
    assert error.transient is transient
    assert error.plain and error.plain[0].isupper() and "#" not in error.plain.split("Meta said")[0]


def test_metas_words_and_trace_are_kept() -> None:
    error = classify(400, body(12345, "Something new at Meta", subcode=7), {}, NOW)
    assert (error.code, error.subcode, error.message, error.fbtrace_id, error.status) == (
        12345,
        7,
        "Something new at Meta",
        "Axyz",
        400,
    )
    assert "Something new at Meta" in error.plain, "an unknown error shows Meta's message to the admin"


def test_a_rate_limit_waits_as_long_as_the_usage_header_says() -> None:
    headers = {
        "X-Business-Use-Case-Usage": json.dumps(
            {"2001": [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 17}]}
        )
    }
    assert classify(400, body(80001), headers, NOW).retry_at == NOW + timedelta(minutes=17)
    assert classify(400, body(4), {}, NOW).retry_at == NOW + timedelta(hours=1), "an hour when Meta does not say"


def test_the_quota_waits_a_day_and_the_media_error_names_the_crawler() -> None:
    assert classify(400, body(9, subcode=2207042), {}, NOW).retry_at == NOW + timedelta(hours=24)
    fetch = classify(400, body(9004, subcode=2207052), {}, NOW)
    assert "facebookexternalhit" in fetch.plain and "robots.txt" in fetch.plain
    assert classify(400, body(190), {}, NOW).plain.endswith("press Reconnect.")
    assert "prepared again" in classify(400, body(100, subcode=2207020), {}, NOW).plain


def test_instagram_oauth_error_shape_is_read() -> None:
    answer = {"error_type": "OAuthException", "code": 400, "error_message": "Invalid platform app"}
    error = classify(400, answer, {}, NOW)
    assert error.code is None, "that body's code is the HTTP status, not a Graph code"
    assert error.message == "Invalid platform app"
    assert error.action is GraphAction.ASK_ADMIN
