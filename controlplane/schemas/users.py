from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, model_validator

from controlplane.models.users import Role
from controlplane.schemas.auth import UserPublic
from controlplane.schemas.common import STRICT_BODY, NewPassword
from controlplane.services.users import username_problem


def _check_username(value: str) -> str:
    problem = username_problem(value)
    if problem:
        raise ValueError(problem)
    return value


Username = Annotated[str, AfterValidator(_check_username)]


class UserCreate(BaseModel):
    model_config = STRICT_BODY

    username: Username
    password: NewPassword
    role: Role = "user"


class UserUpdate(BaseModel):
    """A password reset, a role change, or both."""

    model_config = STRICT_BODY

    password: NewPassword | None = None
    role: Role | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> UserUpdate:
        if self.password is None and self.role is None:
            raise ValueError("Give a new password, a role, or both")
        return self


class UserAdminView(UserPublic):
    agent_count: int
