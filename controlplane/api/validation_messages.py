"""Plain sentences for request validation errors: what the PWA shows under a field instead of pydantic's wording.

Each error keeps FastAPI's 422 shape (type, loc, input, ctx); only its `msg` is rewritten, by its pydantic `type`
and `ctx`. Our own validators already write sentences (a `ValueError` in a schema, a `ContractError` of a plan
step, a custom error type such as an MCP server's kind): those keep their words without pydantic's prefix."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from controlplane.schemas.agents import MCP_SERVER_KIND_ERROR, MCP_SERVER_NAME_PATTERN, MCP_SERVER_NAME_RULE
from controlplane.schemas.settings import API_KEY_PATTERN, API_KEY_RULE, PROVIDER_PATTERN, PROVIDER_RULE

GENERIC = "This value is not accepted."
UNKNOWN_FORMAT = "This value is not in the expected format."

# A pattern's rule in words, keyed by the pattern itself: a constrained type says the same wherever it is used.
PATTERN_RULES: dict[str, str] = {
    PROVIDER_PATTERN: PROVIDER_RULE,
    API_KEY_PATTERN: API_KEY_RULE,
    MCP_SERVER_NAME_PATTERN: MCP_SERVER_NAME_RULE,
}

# Error types whose message our own code wrote (pydantic adds nothing to a custom error type's message).
OWN_MESSAGE_TYPES = frozenset({MCP_SERVER_KIND_ERROR})

VALUE_ERROR_PREFIX = "Value error, "  # what pydantic puts before a ValueError's own message

Context = Mapping[str, Any]


def _number(value: Any) -> str:
    """20000 as 20,000 and 1.50 as 1.5; anything else as it is."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,g}" if isinstance(value, float) else str(value)


def _plural(count: Any, noun: str) -> str:
    return f"{_number(count)} {noun}" if count == 1 else f"{_number(count)} {noun}s"


def _choices(expected: Any) -> list[str]:
    """pydantic's `expected` ("'a', 'b' or 'c'") as the bare choices."""
    text = str(expected)
    quoted = re.findall(r"'([^']*)'", text)
    return quoted or [part for part in re.split(r",\s*|\s+or\s+", text) if part]


def _choose(ctx: Context) -> str:
    choices = _choices(ctx.get("expected", ""))
    return f"Choose one of: {', '.join(choices)}." if choices else GENERIC


def _too_short(ctx: Context) -> str:
    minimum = ctx.get("min_length")
    if minimum == 1:
        return "This cannot be empty."
    return f"Use at least {_plural(minimum, 'character')}." if minimum is not None else GENERIC


def _too_long(ctx: Context) -> str:
    maximum = ctx.get("max_length")
    return f"Use at most {_plural(maximum, 'character')}." if maximum is not None else GENERIC


def _too_few_items(ctx: Context) -> str:
    minimum = ctx.get("min_length")
    if minimum == 1:
        return "Add at least one item."
    return f"Use at least {_plural(minimum, 'item')}." if minimum is not None else GENERIC


def _too_many_items(ctx: Context) -> str:
    maximum = ctx.get("max_length")
    return f"Use at most {_plural(maximum, 'item')}." if maximum is not None else GENERIC


def _bound(key: str, wording: str) -> Callable[[Context], str]:
    def message(ctx: Context) -> str:
        return f"Use a number {wording} {_number(ctx[key])}." if key in ctx else "Use a number in the allowed range."

    return message


def _pattern(ctx: Context) -> str:
    return PATTERN_RULES.get(str(ctx.get("pattern", "")), UNKNOWN_FORMAT)


def _url_scheme(ctx: Context) -> str:
    schemes = _choices(ctx.get("expected_schemes", ""))
    if not schemes:
        return "Use a web address like https://example.com."
    return f"Use a web address starting with {' or '.join(f'{scheme}://' for scheme in schemes)}."


def _fixed(sentence: str) -> Callable[[Context], str]:
    return lambda ctx: sentence


REQUIRED = "This is required."
NOT_EXPECTED = "This field is not expected."
WHOLE_NUMBER = "Use a whole number."
NUMBER = "Use a number."
YES_OR_NO = "Choose yes or no."
WEB_ADDRESS = "Use a web address like https://example.com."
OBJECT = "Use an object with named fields."

# pydantic error type -> the sentence, from the error's ctx.
MESSAGES: dict[str, Callable[[Context], str]] = {
    "missing": _fixed(REQUIRED),
    "missing_keyword_only_argument": _fixed(REQUIRED),  # a dataclass body's (a plan step's) fields
    "extra_forbidden": _fixed(NOT_EXPECTED),
    "unexpected_keyword_argument": _fixed(NOT_EXPECTED),
    "json_invalid": _fixed("The request is not valid JSON."),
    "string_type": _fixed("Use text."),
    "string_too_short": _too_short,
    "string_too_long": _too_long,
    "string_pattern_mismatch": _pattern,
    "too_short": _too_few_items,
    "too_long": _too_many_items,
    "less_than_equal": _bound("le", "no larger than"),
    "greater_than_equal": _bound("ge", "no smaller than"),
    "less_than": _bound("lt", "smaller than"),
    "greater_than": _bound("gt", "larger than"),
    "int_parsing": _fixed(WHOLE_NUMBER),
    "int_type": _fixed(WHOLE_NUMBER),
    "int_from_float": _fixed(WHOLE_NUMBER),
    "float_parsing": _fixed(NUMBER),
    "float_type": _fixed(NUMBER),
    "bool_type": _fixed(YES_OR_NO),
    "bool_parsing": _fixed(YES_OR_NO),
    "literal_error": _choose,
    "enum": _choose,
    "url_parsing": _fixed(WEB_ADDRESS),
    "url_type": _fixed(WEB_ADDRESS),
    "url_scheme": _url_scheme,
    "url_too_long": _fixed("This web address is too long."),
    "list_type": _fixed("Use a list."),
    "dict_type": _fixed(OBJECT),
    "model_type": _fixed(OBJECT),
    "model_attributes_type": _fixed(OBJECT),
    "dataclass_type": _fixed(OBJECT),
    "dataclass_args_type": _fixed(OBJECT),
}


def plain_message(error: Mapping[str, Any]) -> str:
    """The sentence a person reads for one validation error."""
    kind = str(error.get("type", ""))
    if kind == "value_error" or kind in OWN_MESSAGE_TYPES:
        return str(error.get("msg", "")).removeprefix(VALUE_ERROR_PREFIX) or GENERIC
    message = MESSAGES.get(kind)
    if message is None:
        return GENERIC
    ctx = error.get("ctx")
    return message(ctx if isinstance(ctx, Mapping) else {})


def plain_errors(errors: Any) -> list[dict[str, Any]]:
    """The errors with each `msg` in plain words; everything else (type, loc, input, ctx) as it was."""
    return [{**error, "msg": plain_message(error)} for error in errors]
