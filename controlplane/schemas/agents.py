from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    field_validator,
)

from controlplane.models.agents import AgentType
from controlplane.schemas.common import STRICT_BODY, DisplayName, LongText, SaidAs
from controlplane.security.mcp_secrets import SECRET_MASK, masked
from controlplane.services.agent_catalogue import TEMPLATES, TOOL_CATALOGUE, TemplateKey

MODEL_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9._:/@+-]*$")


def _check_model(value: str) -> str:
    if len(value) > 200 or not MODEL_PATTERN.fullmatch(value):
        raise ValueError('Model must look like "provider/model", for example "openai/gpt-5.3-codex"')
    return value


# Claude Code's --model: an alias (opus, sonnet, haiku) or a model's full name, e.g. claude-opus-4-6; "" = default.
CLAUDE_MODEL_PATTERN = r"^([a-z0-9][a-z0-9._\[\]-]{0,99})?$"
CLAUDE_MODEL_RULE = 'Name Claude Code\'s model as Claude Code does, e.g. "opus", "sonnet" or "claude-opus-4-6".'


def _check_tool(value: str) -> str:
    if value not in TOOL_CATALOGUE:
        raise ValueError(f"Unknown tool '{value}'; known tools: {', '.join(TOOL_CATALOGUE)}")
    return value


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


ModelName = Annotated[str, AfterValidator(_check_model)]
ClaudeModelName = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=CLAUDE_MODEL_PATTERN), SaidAs(CLAUDE_MODEL_RULE)
]
ToolName = Annotated[str, AfterValidator(_check_tool)]
ToolList = Annotated[list[ToolName], AfterValidator(_unique)]
MCP_SERVER_NAME_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
MCP_SERVER_NAME_RULE = "Name an MCP server with 1 to 64 letters, digits, _ or -."  # the pattern in words
McpServerName = Annotated[str, StringConstraints(pattern=MCP_SERVER_NAME_PATTERN)]
MCP_SERVER_KIND_ERROR = "mcp_server_kind"  # an error type whose message is ours


# A stdio server's command is run as a program, never by a shell: one program name or path, without the characters
# a shell would give a meaning to (its arguments go in `args`, one string each).
MCP_COMMAND_PATTERN = r"^[A-Za-z0-9_./+@:=,-]{1,1000}$"
MCP_COMMAND_RULE = (
    "Give one program, such as npx or /usr/bin/python3, without spaces or characters like ; | & $ < > or quotes;"
    " put its arguments under args."
)
MCP_ARG_MAX = 4000
MCP_ARGS_RULE = f"Give the arguments as a list of texts, at most 100, each under {MCP_ARG_MAX:,} characters."
ENV_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,127}$"
ENV_NAME_RULE = "Name a variable with letters, digits and _, not starting with a digit."
HEADER_NAME_PATTERN = r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$"
HEADER_NAME_RULE = "Name a header with letters, digits and - (like Authorization or X-Api-Key)."
SECRET_VALUE_MAX = 8000
SECRET_DESCRIPTION = (
    f"Secret values: stored encrypted and never shown again (an answer shows {SECRET_MASK!r}); send that mask back"
    " unchanged to keep the stored value."
)

McpCommand = Annotated[str, StringConstraints(pattern=MCP_COMMAND_PATTERN), SaidAs(MCP_COMMAND_RULE)]
McpArgs = Annotated[list[Annotated[str, StringConstraints(max_length=MCP_ARG_MAX)]], Field(max_length=100)]
SecretValue = Annotated[str, StringConstraints(max_length=SECRET_VALUE_MAX)]


def _names_follow(rule: str, pattern: str) -> Any:
    compiled = re.compile(pattern)

    def check(values: dict[str, str]) -> dict[str, str]:
        for name in values:
            if not compiled.fullmatch(name):
                raise ValueError(f"'{name[:40]}': {rule}")
        return values

    return check


class StdioMcpServer(BaseModel):
    """An MCP server started as a process in your workspace: a program, its arguments, its environment."""

    model_config = STRICT_BODY

    command: McpCommand
    args: Annotated[McpArgs, SaidAs(MCP_ARGS_RULE)] = Field(default_factory=list)
    env: dict[str, SecretValue] = Field(default_factory=dict, description=SECRET_DESCRIPTION)

    _env_names = field_validator("env")(_names_follow(ENV_NAME_RULE, ENV_NAME_PATTERN))


class HttpMcpServer(BaseModel):
    """An MCP server reached over HTTP (streamable HTTP or SSE)."""

    model_config = STRICT_BODY

    url: AnyHttpUrl  # a failure reads "Use a web address starting with http:// or https://." (api/errors.py)
    headers: dict[str, SecretValue] = Field(default_factory=dict, description=SECRET_DESCRIPTION)

    _header_names = field_validator("headers")(_names_follow(HEADER_NAME_RULE, HEADER_NAME_PATTERN))


def _mcp_kind(value: Any) -> str | None:
    data = value if isinstance(value, dict) else getattr(value, "__dict__", {})
    if "command" in data:
        return "stdio"
    if "url" in data:
        return "http"
    return None


McpServer = Annotated[
    Annotated[StdioMcpServer, Tag("stdio")] | Annotated[HttpMcpServer, Tag("http")],
    Discriminator(
        _mcp_kind,
        custom_error_type=MCP_SERVER_KIND_ERROR,
        custom_error_message="An MCP server needs either 'command' (with optional args, env) or 'url' "
        "(with optional headers)",
    ),
]
McpServers = dict[McpServerName, McpServer]


class AgentCreate(BaseModel):
    """From a template ({"template": "coding", "name": ...} plus overrides) or custom (model required)."""

    model_config = STRICT_BODY

    template: TemplateKey | None = None
    name: DisplayName
    type: AgentType | None = None
    model: ModelName | None = None
    claude_model: ClaudeModelName | None = Field(
        default=None, description="Claude Code's model in a coding agent's projects; empty for Claude Code's default"
    )
    identity: LongText | None = None
    tools: ToolList | None = None
    mcp_servers: McpServers | None = None
    global_rules: LongText | None = None


class AgentUpdate(BaseModel):
    """Fields to change; the type of an agent is fixed at creation."""

    model_config = STRICT_BODY

    name: DisplayName | None = None
    model: ModelName | None = None
    claude_model: ClaudeModelName | None = None
    identity: LongText | None = None
    tools: ToolList | None = None
    mcp_servers: McpServers | None = None
    global_rules: LongText | None = None


class AgentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    type: AgentType
    model: str
    # Optional in the schema (no default written): the generated client then types it as optional, so an agent
    # written before the field (a fixture, a cached answer) is still an agent.
    claude_model: str = Field(
        default="",
        description="Claude Code's model (coding agents); empty for Claude Code's default",
        json_schema_extra=lambda schema: schema.pop("default", None),  # type: ignore[arg-type]
    )
    identity: str
    tools: list[str]
    mcp_servers: dict[str, Any] = Field(description=f"Every env and headers value reads {SECRET_MASK!r}")
    global_rules: str
    created_at: datetime
    updated_at: datetime

    _masked = field_validator("mcp_servers", mode="before")(masked)


class AgentTemplatePublic(BaseModel):
    key: TemplateKey
    name: str
    type: AgentType
    description: str
    model: str
    tools: list[str]
    identity: str
    global_rules: str
    mcp_servers: dict[str, Any]


class ToolPublic(BaseModel):
    name: str = Field(description="The stable code name an agent stores, e.g. 'web_search'.")
    label: str = Field(description="The tool's plain name, e.g. 'Web search'.")
    description: str = Field(description="One plain sentence on what the tool lets the agent do.")
    agent_types: list[AgentType] = Field(description="The kinds of agent that can use it (others are refused it)")


def template_views() -> list[AgentTemplatePublic]:
    return [
        AgentTemplatePublic(
            key=t.key,
            name=t.name,
            type=t.type,
            description=t.description,
            model=t.model,
            tools=list(t.tools),
            identity=t.identity,
            global_rules=t.global_rules,
            mcp_servers=dict(t.mcp_servers),
        )
        for t in TEMPLATES.values()
    ]


class ModelChoicePublic(BaseModel):
    name: str = Field(description='The model as an agent stores it, "provider/model".')
    label: str = Field(description='Its plain name, e.g. "Claude Opus 4.6".')


class ProviderPublic(BaseModel):
    name: str = Field(description='The model prefix and the name its API key is stored under, e.g. "anthropic".')
    label: str = Field(description='The provider\'s plain name, e.g. "Anthropic".')
    purpose: str = Field(description="One plain sentence: what this provider's key is used for.")
    has_key: bool = Field(description="Whether the signed-in user has a key for this provider.")
    models: list[ModelChoicePublic] = Field(description="Suggested models, the first one preferred.")


class KeyNeedPublic(BaseModel):
    type: AgentType = Field(description="Agents of this type need the key whatever their model.")
    provider: str
    reason: str = Field(description="Why, in one plain sentence.")


class TemplateModelPublic(BaseModel):
    template: TemplateKey
    model: str = Field(
        description="The model a new agent from this template starts with: the template's own when the user has "
        "its provider's key, else a suggested model of a provider they have a key for, else the template's."
    )


class ModelCataloguePublic(BaseModel):
    """The models to choose from, per provider, as they suit the signed-in user's keys (keys are per person)."""

    providers: list[ProviderPublic]
    key_providers: list[str] = Field(description="Every provider the signed-in user has a key for.")
    needs: list[KeyNeedPublic] = Field(description="Keys some agent types need whatever their model.")
    templates: list[TemplateModelPublic]
