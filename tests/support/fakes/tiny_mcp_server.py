"""A tiny MCP server for the custom agent tests, run inside the test sandbox with the sandbox's venv (which has the
`mcp` package): `lookup(word)` answers what the word is and proves it was given its secret without saying it (a
short digest of the TINY_TOKEN variable, or of the Authorization header over HTTP).

    python tiny_mcp_server.py                          # stdio (the agent starts it)
    python tiny_mcp_server.py --http 8931              # streamable HTTP on 127.0.0.1:8931/mcp
"""

from __future__ import annotations

import hashlib
import os
import sys
from typing import Any

from mcp.server.fastmcp import Context, FastMCP

MEANINGS = {"apple": "a fruit", "carrot": "a vegetable"}


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:12] if secret else "none"


def build(port: int = 8000) -> FastMCP:
    server = FastMCP("tiny", host="127.0.0.1", port=port, log_level="WARNING")

    @server.tool()
    def lookup(word: str, ctx: Context[Any, Any, Any]) -> str:  # type: ignore[type-arg]
        """What a word is."""
        request = getattr(ctx.request_context, "request", None)
        secret = request.headers.get("authorization", "") if request is not None else os.environ.get("TINY_TOKEN", "")
        return f"{word} is {MEANINGS.get(word, 'unknown')} (secret digest {digest(secret)})"

    return server


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--http":
        build(int(sys.argv[2])).run(transport="streamable-http")
    else:
        build().run()
