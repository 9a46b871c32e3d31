"""Meta's errors, and what the person can do about each, in plain words.

`classify()` is the one mapping of Meta's codes (shared/notes/graph-api.md, "Errors and limits"): every caller
decides on `GraphError.action`, never on a code, so a code Meta adds or renames is fixed here once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum

RATE_LIMIT_CODES = frozenset({4, 17, 32, 613}) | frozenset(range(80001, 80015))
TRANSIENT_CODES = frozenset({1, 2})
PERMISSION_CODES = frozenset({10}) | frozenset(range(200, 300))
RECONNECT_CODES = frozenset({102, 190})
NOT_READY_SUBCODE = 2207027
NOT_READY_CODE = 9007
QUOTA_CODE = 9
QUOTA_SUBCODE = 2207042
EXPIRED_CONTAINER_SUBCODE = 2207020
WINDOW_SUBCODES = frozenset({2018278, 2534022})  # Messenger's and Instagram's "outside the allowed window"
FETCH_FAILED_CODES = frozenset({9004, 389})
FETCH_FAILED_SUBCODES = frozenset({2207052, 2207003})
MEDIA_SUBCODES = frozenset({2207004, 2207005, 2207009, 2207023, 2207026, 2207028, 2207053}) | FETCH_FAILED_SUBCODES
MEDIA_CODES = frozenset({324, 352}) | FETCH_FAILED_CODES
DEFAULT_WAIT = timedelta(hours=1)
QUOTA_WAIT = timedelta(hours=24)
POLICY_WAIT = timedelta(hours=24)


class GraphAction(StrEnum):
    """What the person (or the caller) can do about an error."""

    RECONNECT = "reconnect"  # the token is dead: connect the account again
    WAIT = "wait"  # a rate limit or a policy block: try again at retry_at
    FIX_MEDIA = "fix_media"  # Meta could not fetch or accept the picture or video
    ASK_ADMIN = "ask_admin"  # a permission the app lacks, or something only the admin can look into
    RETRY = "retry"  # a passing failure at Meta, or a step to do again
    FIX_INPUT = "fix_input"  # a parameter Meta refused
    WINDOW_CLOSED = "window_closed"  # the 24-hour window for replying to a DM has closed
    ADVANCED_ACCESS = "advanced_access"  # DMs with people without a role on the app need Advanced Access
    NOT_READY = "not_ready"  # the container is still being processed: poll, then publish
    QUOTA = "quota"  # Instagram's daily publishing limit is reached


class GraphError(Exception):
    """An error from Meta (or from reaching it), with Meta's own words and ours.

    `message` is Meta's text, for logs and for the admin; `plain` says what the person can do.
    """

    def __init__(
        self,
        *,
        status: int,
        code: int | None,
        subcode: int | None,
        message: str,
        action: GraphAction,
        plain: str,
        retry_at: datetime | None = None,
        transient: bool = False,
        fbtrace_id: str | None = None,
    ) -> None:
        super().__init__(f"{plain} (Meta said: {message})" if message else plain)
        self.status = status
        self.code = code
        self.subcode = subcode
        self.message = message
        self.action = action
        self.plain = plain
        self.retry_at = retry_at
        self.transient = transient
        self.fbtrace_id = fbtrace_id


class GraphUnreachable(GraphError):
    """Meta could not be reached, or the connection dropped before its answer arrived.

    After a POST the request may well have been carried out (a publish whose answer was lost): `maybe_done`
    tells the caller to check the state at Meta before sending it again.
    """

    def __init__(self, detail: str, *, maybe_done: bool) -> None:
        plain = (
            "The connection to Meta dropped before it answered, so it is not known whether this went through. "
            "Check the account before trying again."
            if maybe_done
            else "Meta could not be reached. Try again in a few minutes."
        )
        super().__init__(
            status=0,
            code=None,
            subcode=None,
            message=detail,
            action=GraphAction.RETRY,
            plain=plain,
            transient=True,
        )
        self.maybe_done = maybe_done


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by its case-insensitive name, from httpx.Headers or a plain dict alike."""
    value = headers.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    for key, candidate in headers.items():
        if key.lower() == lowered:
            return candidate
    return None


def regain_minutes(headers: Mapping[str, str]) -> float | None:
    """The longest `estimated_time_to_regain_access` (minutes) in `X-Business-Use-Case-Usage`, if any."""
    raw = _header(headers, "x-business-use-case-usage")
    if not raw:
        return None
    try:
        parsed = json.loads(raw)
    except ValueError:
        return None
    found: float | None = None
    if isinstance(parsed, dict):
        for entries in parsed.values():
            for entry in entries if isinstance(entries, list) else []:
                minutes = entry.get("estimated_time_to_regain_access") if isinstance(entry, dict) else None
                if isinstance(minutes, int | float) and minutes > 0:
                    found = max(found or 0.0, float(minutes))
    return found


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


def _parse(body: object) -> tuple[int | None, int | None, str, str | None, str | None]:
    """Code, subcode, Meta's message, its message for users and fbtrace_id from an error body.

    Graph answers `{"error": {...}}`; Instagram's OAuth host answers `{"error_type", "code", "error_message"}`
    where `code` is only the HTTP status, so no Graph code is taken from it.
    """
    if not isinstance(body, dict):
        return None, None, "", None, None
    error = body.get("error")
    if isinstance(error, dict):
        message = str(error.get("message") or "")
        user_msg = error.get("error_user_msg")
        return (
            _int(error.get("code")),
            _int(error.get("error_subcode")),
            message,
            str(user_msg) if user_msg else None,
            str(error["fbtrace_id"]) if error.get("fbtrace_id") else None,
        )
    if isinstance(error, str):  # an OAuth-style {"error": "...", "error_description": "..."}
        return None, None, str(body.get("error_description") or error), None, None
    if "error_message" in body:
        return None, None, str(body.get("error_message") or ""), None, None
    return None, None, "", None, None


def classify(status: int, body: object, headers: Mapping[str, str], now: datetime) -> GraphError:
    """The GraphError for Meta's answer: its action, its plain words, and when to try again."""
    code, subcode, message, user_msg, trace = _parse(body)

    def error(
        action: GraphAction, plain: str, *, retry_at: datetime | None = None, transient: bool = False
    ) -> GraphError:
        return GraphError(
            status=status,
            code=code,
            subcode=subcode,
            message=message or f"HTTP {status}",
            action=action,
            plain=plain,
            retry_at=retry_at,
            transient=transient,
            fbtrace_id=trace,
        )

    said = f" Meta said: {user_msg or message}" if (user_msg or message) else ""
    if code in RECONNECT_CODES:
        return error(
            GraphAction.RECONNECT,
            "Meta no longer accepts this account's connection (a changed password or a lost role on the Page can "
            "cause this): open Accounts and press Reconnect.",
        )
    if code == NOT_READY_CODE or subcode == NOT_READY_SUBCODE:
        return error(
            GraphAction.NOT_READY,
            "Instagram is still preparing the media; it will be published once it is ready.",
            transient=True,
        )
    if subcode == QUOTA_SUBCODE or code == QUOTA_CODE:
        return error(
            GraphAction.QUOTA,
            "Instagram's daily limit of posts published through apps is reached for this account. "
            "The post can go out once the last 24 hours hold fewer posts.",
            retry_at=now + QUOTA_WAIT,
        )
    if subcode == EXPIRED_CONTAINER_SUBCODE:
        return error(
            GraphAction.RETRY,
            "Instagram discarded the prepared media because it waited too long; it has to be prepared again "
            "before publishing.",
        )
    if code in FETCH_FAILED_CODES or subcode in FETCH_FAILED_SUBCODES:
        return error(
            GraphAction.FIX_MEDIA,
            "Meta could not fetch the picture or video: it must be at a public address that Meta's crawler "
            "(facebookexternalhit) can reach and that robots.txt does not block. Check AUTOCODE_PUBLIC_URL." + said,
        )
    if code in MEDIA_CODES or subcode in MEDIA_SUBCODES:
        return error(GraphAction.FIX_MEDIA, "Meta did not accept the picture or video." + said)
    if subcode in WINDOW_SUBCODES:
        return error(
            GraphAction.WINDOW_CLOSED,
            "Meta allows replies only within 24 hours of the person's last message; this conversation can be "
            "answered again once they write.",
        )
    if code in RATE_LIMIT_CODES or (code is None and status == 429):
        minutes = regain_minutes(headers)
        wait = timedelta(minutes=minutes) if minutes else DEFAULT_WAIT
        return error(
            GraphAction.WAIT,
            "Meta is limiting how often this account can be used right now. It will work again later; "
            "nothing needs to be changed.",
            retry_at=now + wait,
        )
    if code == 368:
        return error(
            GraphAction.WAIT,
            "Meta has blocked this action on the account for a while because it looked like a breach of its "
            "rules. Wait a day before trying again, and check the account's notifications on Facebook or "
            "Instagram.",
            retry_at=now + POLICY_WAIT,
        )
    if code in TRANSIENT_CODES or (code == 100 and subcode == 33):
        return error(GraphAction.RETRY, "Meta had a passing problem. Try again in a moment.", transient=True)
    if code in PERMISSION_CODES and "advanced access" in message.lower():
        return error(
            GraphAction.ADVANCED_ACCESS,
            "Meta lets this app send messages only to people who have a role on it. Messaging anyone else "
            "needs Advanced Access, which the admin can request in App Review.",
        )
    if code in PERMISSION_CODES:
        return error(
            GraphAction.ASK_ADMIN,
            "Meta refused this because the connection lacks a permission. Reconnect the account and allow "
            "everything asked for, or ask the admin to check the Meta app." + said,
        )
    if code == 100:
        return error(GraphAction.FIX_INPUT, "Meta refused part of the request." + said)
    if code is None and status >= 500:
        return error(GraphAction.RETRY, "Meta had a passing problem. Try again in a moment.", transient=True)
    return error(GraphAction.ASK_ADMIN, "Meta refused the request. The admin can look into it." + said)
