"""MCP servers' secrets (every `env` value of a stdio server, every `headers` value of a URL server) at rest and in
answers: sealed with the SecretBox that keeps API keys, never answered (each value reads as `SECRET_MASK`), and
kept when an edit sends the mask back unchanged. Only the instance that runs the agent gets them in clear, in its
spec, in memory.

Stored shape: the agent's `mcp_servers` JSON as the API takes it, each secret value `SEALED_PREFIX` + Fernet token.
"""

from __future__ import annotations

from typing import Any

from autocode_runner.contract.specs import McpServer
from sqlmodel import Session, select

from controlplane.errors import Conflict, InvalidField
from controlplane.models import Agent
from controlplane.security.secretbox import SecretBox, SecretUnreadable

# What an answer shows for every secret value; sent back unchanged, it keeps the stored secret.
SECRET_MASK = "••••••••"  # noqa: S105  # a mask, not a secret
SEALED_PREFIX = "sealed:"
SECRET_FIELDS = ("env", "headers")
MASK_WITHOUT_SECRET = "This value was never saved: type the secret itself."  # noqa: S105  # a message


def _secret_maps(server: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(field, server[field]) for field in SECRET_FIELDS if isinstance(server.get(field), dict)]


def masked(servers: dict[str, Any]) -> dict[str, Any]:
    """The servers as an answer shows them: every secret value the mask."""
    shown: dict[str, Any] = {}
    for name, server in servers.items():
        if not isinstance(server, dict):
            continue
        copy = dict(server)
        for field, values in _secret_maps(server):
            copy[field] = dict.fromkeys(values, SECRET_MASK)
        shown[name] = copy
    return shown


def seal(box: SecretBox, given: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    """The servers to store from what the user sent: new values sealed; the mask keeps the stored value of the
    same server and name (a 422 under the field when there is none)."""
    sealed: dict[str, Any] = {}
    for name, server in given.items():
        copy = dict(server)
        found = stored.get(name)
        before: dict[str, Any] = found if isinstance(found, dict) else {}
        for field, values in _secret_maps(server):
            found_old = before.get(field)
            old: dict[str, Any] = found_old if isinstance(found_old, dict) else {}
            kept: dict[str, str] = {}
            for key, value in values.items():
                if value == SECRET_MASK:
                    if not isinstance(old.get(key), str):
                        raise InvalidField(f"mcp_servers.{name}.{field}.{key}", MASK_WITHOUT_SECRET)
                    kept[key] = old[key] if old[key].startswith(SEALED_PREFIX) else _sealed(box, old[key])
                else:
                    kept[key] = _sealed(box, str(value))
            copy[field] = kept
        sealed[name] = copy
    return sealed


def _sealed(box: SecretBox, value: str) -> str:
    return SEALED_PREFIX + box.encrypt(value)


def _opened(box: SecretBox, value: str, where: str) -> str:
    if not value.startswith(SEALED_PREFIX):
        return value  # stored before secrets were sealed (seal_stored seals them at start-up)
    try:
        return box.decrypt(value.removeprefix(SEALED_PREFIX))
    except SecretUnreadable as exc:
        raise Conflict(
            f"The secret {where} cannot be read any more (the server's key changed): enter it again"
        ) from exc


def opened(box: SecretBox, servers: dict[str, Any]) -> list[McpServer]:
    """The servers with their secrets in clear, for an instance's spec (memory only)."""
    result: list[McpServer] = []
    for name, server in sorted(servers.items()):
        if not isinstance(server, dict):
            continue
        env = {k: _opened(box, str(v), f"{k} of the MCP server '{name}'") for k, v in server.get("env", {}).items()}
        headers = {
            k: _opened(box, str(v), f"{k} of the MCP server '{name}'") for k, v in server.get("headers", {}).items()
        }
        result.append(
            McpServer(
                name=name,
                command=str(server.get("command", "")),
                args=[str(arg) for arg in server.get("args", [])],
                env=env,
                url=str(server.get("url", "")),
                headers=headers,
            )
        )
    return result


def seal_stored(session: Session, box: SecretBox) -> int:
    """Seal the secrets stored in clear before sealing existed (idempotent; at start-up): how many agents changed."""
    changed = 0
    for agent in session.exec(select(Agent)).all():
        servers = agent.mcp_servers or {}
        clear = any(
            not str(value).startswith(SEALED_PREFIX)
            for server in servers.values()
            if isinstance(server, dict)
            for _, values in _secret_maps(server)
            for value in values.values()
        )
        if clear:
            agent.mcp_servers = {
                name: {
                    **server,
                    **{
                        field: {
                            key: value if str(value).startswith(SEALED_PREFIX) else _sealed(box, str(value))
                            for key, value in values.items()
                        }
                        for field, values in _secret_maps(server)
                    },
                }
                if isinstance(server, dict)
                else server
                for name, server in servers.items()
            }
            session.add(agent)
            changed += 1
    if changed:
        session.commit()
    return changed
