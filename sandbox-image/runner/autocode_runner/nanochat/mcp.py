"""An agent's MCP servers for a nanobot chat: nanobot's `tools.mcpServers` entries with every secret left out of
the file, the secrets filled in from memory after loading, and nanobot's `MCPProvider` on the loop's registry (its
tools are named mcp_<server>_<tool>).

stdio servers are started by nanobot inside the sandbox, in the agent's folder, with only the variables the agent
gave them (and the MCP SDK's few defaults: PATH, HOME...), never the runner's environment. URL servers are reached
at their URL; nanobot refuses private and loopback addresses (SSRF protection for model-chosen URLs), so the
addresses of the user's own URL servers are exempted (process-wide: the chat's web tools may reach them too).
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from autocode_runner.contract.specs import McpServer

# What config.json says instead of an `env` or `headers` value: the value lives only in the process's memory.
SECRET_PLACEHOLDER = "(kept in memory by the runner)"  # noqa: S105  # a placeholder, not a secret


def config_entries(servers: Sequence[McpServer], cwd: Path) -> dict[str, Any]:
    """`tools.mcpServers` for config.json: every `env` and `headers` value a placeholder."""
    entries: dict[str, Any] = {}
    for server in servers:
        if server.url:
            entries[server.name] = {
                "url": server.url,
                "headers": dict.fromkeys(server.headers, SECRET_PLACEHOLDER),
            }
        else:
            entries[server.name] = {
                "command": server.command,
                "args": list(server.args),
                "env": dict.fromkeys(server.env, SECRET_PLACEHOLDER),
                "cwd": str(cwd),
            }
    return entries


def exempt_addresses(servers: Iterable[McpServer]) -> list[str]:
    """The addresses (as /32 or /128 networks) of the URL servers' hosts, so nanobot lets its MCP client reach
    them even when they are private or loopback ones (the user named them; the model did not)."""
    networks: list[str] = []
    for server in servers:
        host = urlparse(server.url).hostname if server.url else None
        if not host:
            continue
        addresses: set[str] = set()
        with contextlib.suppress(ValueError):
            addresses.add(str(ipaddress.ip_address(host)))
        if not addresses:
            with contextlib.suppress(OSError):
                addresses.update(str(info[4][0]) for info in socket.getaddrinfo(host, None))
        for address in sorted(addresses):
            ip = ipaddress.ip_address(address.split("%")[0])
            networks.append(f"{ip}/{ip.max_prefixlen}")
    return sorted(set(networks))


def fill_secrets(config: Any, servers: Sequence[McpServer]) -> None:
    """Put the real `env` and `headers` values into the loaded config (memory only)."""
    configured = config.tools.mcp_servers
    for server in servers:
        entry = configured.get(server.name)
        if entry is None:
            continue
        entry.env = dict(server.env)
        entry.headers = dict(server.headers)


def provider(config: Any, registry: Any) -> Any:
    """nanobot's MCPProvider over the configured servers; it connects before each run (and again after a failure)."""
    from nanobot.agent.tools.mcp import MCPProvider  # type: ignore[import-not-found]  # only in the sandbox's venv

    servers = dict(config.tools.mcp_servers)
    return MCPProvider(servers, registry, server_loader=lambda: servers)


def unreachable(mcp: Any) -> list[str]:
    """The servers whose last connection attempt failed."""
    statuses: dict[str, str] = mcp.runtime_status()
    return sorted(name for name, status in statuses.items() if status == "failed")
