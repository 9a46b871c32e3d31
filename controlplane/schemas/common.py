"""Validated string types shared by several request bodies, and SaidAs: one sentence for a field's whole rule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, GetCoreSchemaHandler, GetJsonSchemaHandler, StringConstraints
from pydantic import ValidationError as PydanticValidationError
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from controlplane.rules import PASSWORD_BYTES_RULE, PASSWORD_RULE, length_rule
from controlplane.security.passwords import MAX_PASSWORD_BYTES, MIN_PASSWORD_LENGTH

STRICT_BODY = ConfigDict(extra="forbid", str_strip_whitespace=False)

# The OpenAPI key that carries a field's rule sentence to the PWA (scripts/form_limits.py reads it).
RULE_KEY = "x-rule"


@dataclass(frozen=True)
class SaidAs:
    """Annotated metadata: any failure of what precedes it reads as this one sentence, and the field's JSON
    schema carries the sentence too (as RULE_KEY), so the PWA shows before typing what a 422 says after.

    Everything to its left in the Annotated type (the type, its constraints, validators) is wrapped; a validator
    to its right keeps its own message."""

    sentence: str

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        def validate(value: Any, inner: core_schema.ValidatorFunctionWrapHandler) -> Any:
            try:
                return inner(value)
            except PydanticValidationError:
                raise ValueError(self.sentence) from None

        return core_schema.no_info_wrap_validator_function(validate, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema[RULE_KEY] = self.sentence
        return json_schema


def _check_password_bytes(value: str) -> str:
    if len(value.encode()) > MAX_PASSWORD_BYTES:
        raise ValueError(PASSWORD_BYTES_RULE)
    return value


NewPassword = Annotated[
    str,
    StringConstraints(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_BYTES),
    SaidAs(PASSWORD_RULE),
    AfterValidator(_check_password_bytes),
]
NAME_MIN, NAME_MAX = 1, 80  # an agent's name
DisplayName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=NAME_MIN, max_length=NAME_MAX),
    SaidAs(length_rule(NAME_MIN, NAME_MAX)),
]
LongText = Annotated[str, StringConstraints(max_length=100_000)]
