"""The error answers of every operation in the OpenAPI document, derived from what each route depends on.

Applied once when the application is built (`document_errors(app)` in controlplane.main): the document lists, for
each operation, every error status it can really answer, with the body it really has (ErrorBody from
controlplane.api.errors, FastAPI's own shape for a 422, MetaRefusal where Meta may refuse). What a route answers
follows from its dependencies, its parameters and the application's handlers:

- the signed-in user (`CurrentUser`): 401, with `WWW-Authenticate: Bearer`;
- an admin (`AdminUser`): 403;
- an id in the path (`Id`): 404, as for another person's id (every resource query goes through `owned()`);
- a request body: 413 over the body limit (controlplane.api.body_limit); a JSON body that is not text (not UTF-8):
  FastAPI's 400;
- parameters or a body: 422 (FastAPI adds it; its description is ours);
- the sandboxes (the manager or the supervisor): 503, sandboxes off or the sandbox unreachable;
- the database (every route with a session): 503 when it stays busy (with `Retry-After`), 507 when the disk is full.

Each derived answer is written once, in the document's `components/responses` (NotSignedIn, AdminsOnly, NoSuchAgent
and the other NoSuch… for the ids in a path, NotText, TooLarge, Invalid, Busy, SandboxUnavailableOrBusy, DiskFull),
and an operation refers to it with `$ref`. What cannot be derived (a conflict's 409, a 404 for an id in a query or a
body, Meta's 409 and 503, a sign-in's 429) a route says in its own `responses=`, with its own words: those answers
are written in the operation, with the same bodies and headers (MetaRefusal or ErrorBody for a 409 or 503 of a route
that uses the social media context), and for a status that is also derived the route's words replace the derived
answer, so they say everything it may mean (social's 503: Meta, or the busy database). A route's answer that is word
for word a shared one is its reference too.
"""

from __future__ import annotations

import http
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.constants import REF_PREFIX
from fastapi.openapi.utils import validation_error_definition, validation_error_response_definition
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from controlplane.api.deps import (
    get_admin_user,
    get_current_user,
    get_manager,
    get_optional_manager,
    get_optional_supervisor,
    get_session,
)
from controlplane.api.errors import ErrorBody, MetaRefusal
from controlplane.api.ids import Id
from controlplane.api.routes.social import social_context

Document = dict[str, Any]
RESPONSES = "#/components/responses/"
META = (409, 503)  # the statuses whose body may be Meta's refusal
SANDBOX = (get_manager, get_optional_manager, get_optional_supervisor)
NOT_SIGNED_IN = "Not signed in, or the sign-in has ended: refresh the access token or sign in again"
ADMINS_ONLY = "Only admins may do this"
TOO_LARGE = "The body is larger than the server takes"
NOT_TEXT = "The body could not be read as JSON text (it is not UTF-8)"
INVALID = "A value that does not fit: each problem names its field, in plain words"
NO_SANDBOX = "Sandboxes are disabled on this server, or the sandbox could not be reached"
BUSY = "The database stayed busy: nothing was saved, try again in a moment (Retry-After)"
FULL = "The server's disk is full: nothing was saved"
# FastAPI's own description of the 422 it adds; replaced by ours.
FASTAPI_422 = "Validation Error"
HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"description": "Always `Bearer`", "required": True, "schema": {"const": "Bearer"}}},
    429: {
        "Retry-After": {
            "description": "Seconds until the next try may succeed",
            "required": True,
            "schema": {"type": "integer", "minimum": 0},
        }
    },
    503: {
        "Retry-After": {
            "description": "Seconds to wait (a busy database)",
            "required": False,
            "schema": {"type": "integer", "minimum": 0},
        }
    },
}


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


def _path_ids(dependant: Dependant) -> list[str]:
    """The names of the ids in the path ("agent", "course", "card"), in order."""
    ids = [
        field.name.removesuffix("_id").replace("_", " ")
        for field in dependant.path_params
        if tuple(field.field_info.metadata) == Id.__metadata__  # type: ignore[attr-defined]
    ]
    return list(dict.fromkeys(ids))


Reason = tuple[str, str]  # a component's name and its description: ("Busy", "The database stayed busy: …")


def _no_such(things: list[str], admin: bool) -> Reason:
    """A 404 for the ids in the path: ("NoSuchCourseOrCard", "No such course or card of yours")."""
    name = "NoSuch" + "Or".join(thing.title().replace(" ", "") for thing in things)
    return name, f"No such {' or '.join(things)}" + ("" if admin else " of yours")


def derived_errors(route: APIRoute, dependant: Dependant, has_body: bool) -> dict[int, list[Reason]]:
    """The error statuses a route can answer that follow from what it depends on, each with why (a 503 may have two
    reasons: the sandboxes and the database)."""
    calls = set(_calls(dependant))
    errors: dict[int, list[Reason]] = {}
    admin = get_admin_user in calls
    if get_current_user in calls:
        errors[401] = [("NotSignedIn", NOT_SIGNED_IN)]
    if admin:
        errors[403] = [("AdminsOnly", ADMINS_ONLY)]
    if things := _path_ids(dependant):
        errors[404] = [_no_such(things, admin)]
    if route.body_field is not None:
        errors[400] = [("NotText", NOT_TEXT)]
    if has_body:
        errors[413] = [("TooLarge", TOO_LARGE)]
    if calls & set(SANDBOX):
        errors.setdefault(503, []).append(("SandboxUnavailable", NO_SANDBOX))
    if get_session in calls:
        errors.setdefault(503, []).append(("Busy", BUSY))
        errors[507] = [("DiskFull", FULL)]
    return errors


Refs = dict[type[BaseModel], Document]


def _schemas() -> tuple[Refs, Document]:
    """ErrorBody and MetaRefusal as the document's components (their own definitions, e.g. GraphAction, too)."""
    models: list[type[BaseModel]] = [ErrorBody, MetaRefusal]
    refs, defs = models_json_schema([(model, "serialization") for model in models], ref_template=REF_PREFIX + "{model}")
    by_model: Refs = {model: refs[(model, "serialization")] for model in models}
    found: Document = defs.get("$defs", {})
    return by_model, found


def _json(schema: Document) -> Document:
    return {"application/json": {"schema": schema}}


def _joined(reasons: list[Reason]) -> Reason:
    """One answer for a status with several reasons: ("SandboxUnavailableOrBusy", "Sandboxes are …; or the database
    stayed busy: …")."""
    names, descriptions = zip(*reasons, strict=True)
    rest = (description[0].lower() + description[1:] for description in descriptions[1:])
    return "Or".join(names), "; or ".join([descriptions[0], *rest])


def _own(code: int, said: str | None, derived: str) -> bool:
    """Whether a route's `responses=` has its own words for a derived status: not FastAPI's defaults, nor words the
    derived description starts with ("Not signed in")."""
    return said not in (None, "", FASTAPI_422, http.HTTPStatus(code).phrase) and not derived.startswith(str(said))


def _answer(code: int, description: str, meta: bool, challenge: bool, refs: Refs) -> Document:
    """An error answer with the body and the headers the handler sends."""
    if code == 422:  # FastAPI's HTTPValidationError, the handler's shape too
        return {"description": description, "content": _json({"$ref": REF_PREFIX + "HTTPValidationError"})}
    body = {"anyOf": [refs[MetaRefusal], refs[ErrorBody]]} if meta and code in META else refs[ErrorBody]
    answer: Document = {"description": description, "content": _json(body)}
    # a sign-in's own refusal (wrong password, no refresh cookie) has no challenge
    if headers := {} if code == 401 and not challenge else HEADERS.get(code, {}):
        answer["headers"] = headers
    return answer


def _complete(operation: Document, errors: dict[int, list[Reason]], meta: bool, refs: Refs, shared: Document) -> None:
    """Add the derived statuses to an operation's responses, each a reference to its answer in `shared` (the
    document's components/responses) unless the route has its own words for it; then give every answer the route
    wrote itself its body and headers."""
    responses: Document = operation.setdefault("responses", {})
    if "422" in responses:  # FastAPI adds it, for parameters or a body
        errors = {**errors, 422: [("Invalid", INVALID)]}
    for code, reasons in errors.items():
        name, description = _joined(reasons)
        if _own(code, responses.get(str(code), {}).get("description"), description):
            continue
        answer = _answer(code, description, False, True, refs)  # Meta refuses only where the route says so
        assert shared.setdefault(name, answer) == answer, f"two answers named {name}"  # noqa: S101
        responses[str(code)] = {"$ref": RESPONSES + name}
    for key, answer in responses.items():
        if key.isdigit() and int(key) >= 400 and "$ref" not in answer:
            code = int(key)
            answer.update(_answer(code, answer["description"], meta, code in errors, refs))


def _operations(document: Document) -> Iterator[Document]:
    for methods in document.get("paths", {}).values():
        yield from (operation for operation in methods.values() if isinstance(operation, dict))


def document_errors(app: FastAPI) -> None:
    """Make `app.openapi()` list every operation's error answers (see the module's docstring)."""
    make_document = app.openapi

    def openapi() -> Document:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = make_document()
        refs, defs = _schemas()
        components = document.setdefault("components", {}).setdefault("schemas", {})
        ours = {
            **defs,
            "ValidationError": validation_error_definition,
            "HTTPValidationError": validation_error_response_definition,
        }
        for name, schema in ours.items():
            assert components.get(name, schema) == schema, f"two schemas named {name}"  # noqa: S101
            components[name] = schema
        shared: Document = {}
        for context in iter_route_contexts(app.routes):
            route = context.original_route
            if not isinstance(route, APIRoute) or not context.include_in_schema:
                continue
            dependant: Dependant = context.dependant
            for method in context.methods or ():
                operation = document["paths"].get(context.path_format, {}).get(method.lower())
                if operation is None:
                    continue
                errors = derived_errors(route, dependant, "requestBody" in operation)
                _complete(operation, errors, social_context in set(_calls(dependant)), refs, shared)
        for operation in _operations(document):  # a route's own words that are a shared answer's: its reference
            responses = operation.get("responses", {})
            for key, answer in responses.items():
                same = next((name for name, shared_answer in shared.items() if shared_answer == answer), None)
                if same is not None:
                    responses[key] = {"$ref": RESPONSES + same}
        answers = document["components"].setdefault("responses", {})
        for name, answer in sorted(shared.items()):
            assert answers.get(name, answer) == answer, f"two answers named {name}"  # noqa: S101
            answers[name] = answer
        return document

    app.openapi = openapi  # type: ignore[method-assign]
