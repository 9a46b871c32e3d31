from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, StringConstraints, model_validator

from controlplane.models.users import Role
from controlplane.rules import DISPLAY_NAME_MAX, DISPLAY_NAME_RULE, USERNAME_RULE, display_name_problem
from controlplane.schemas.auth import UserPublic
from controlplane.schemas.common import STRICT_BODY, NewPassword, SaidAs
from controlplane.services.userdirs import USERNAME_PATTERN

Username = Annotated[str, StringConstraints(pattern=USERNAME_PATTERN.pattern), SaidAs(USERNAME_RULE)]


def _check_display_name(value: str) -> str:
    problem = display_name_problem(value)
    if problem:
        raise ValueError(problem)
    return value


# Trimmed first; "" clears the name (the username is shown instead).
UserDisplayName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=DISPLAY_NAME_MAX),
    AfterValidator(_check_display_name),
    SaidAs(DISPLAY_NAME_RULE),
]


class UserCreate(BaseModel):
    model_config = STRICT_BODY

    username: Username
    password: NewPassword
    role: Role = "user"
    display_name: UserDisplayName = ""


class UserUpdate(BaseModel):
    """A password reset, a role change, a new display name, or any of them together."""

    model_config = STRICT_BODY

    password: NewPassword | None = None
    role: Role | None = None
    display_name: UserDisplayName | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> UserUpdate:
        if self.password is None and self.role is None and self.display_name is None:
            raise ValueError("Give a new password, a role or a display name")
        return self


class UserAdminView(UserPublic):
    agent_count: int
