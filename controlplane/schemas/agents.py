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
)

from controlplane.models.agents import AgentType
from controlplane.schemas.common import STRICT_BODY, DisplayName, LongText
from controlplane.services.agent_catalogue import TEMPLATES, TOOL_CATALOGUE, TemplateKey

MODEL_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9._:/@+-]*$")


def _check_model(value: str) -> str:
    if len(value) > 200 or not MODEL_PATTERN.fullmatch(value):
        raise ValueError('Model must look like "provider/model", for example "openai/gpt-5.3-codex"')
    return value


def _check_tool(value: str) -> str:
    if value not in TOOL_CATALOGUE:
        raise ValueError(f"Unknown tool '{value}'; known tools: {', '.join(TOOL_CATALOGUE)}")
    return value


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


ModelName = Annotated[str, AfterValidator(_check_model)]
ToolName = Annotated[str, AfterValidator(_check_tool)]
ToolList = Annotated[list[ToolName], AfterValidator(_unique)]
MCP_SERVER_NAME_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
MCP_SERVER_NAME_RULE = "Name an MCP server with 1 to 64 letters, digits, _ or -."  # the pattern in words
McpServerName = Annotated[str, StringConstraints(pattern=MCP_SERVER_NAME_PATTERN)]
MCP_SERVER_KIND_ERROR = "mcp_server_kind"  # an error type whose message is ours


class StdioMcpServer(BaseModel):
    """An MCP server started as a process: command, arguments, environment."""

    model_config = STRICT_BODY

    command: str = Field(min_length=1, max_length=1000)
    args: list[str] = Field(default_factory=list)
    env: dict[str, str] = Field(default_factory=dict)


class HttpMcpServer(BaseModel):
    """An MCP server reached over HTTP (streamable HTTP or SSE)."""

    model_config = STRICT_BODY

    url: AnyHttpUrl
    headers: dict[str, str] = Field(default_factory=dict)


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
    identity: LongText | None = None
    tools: ToolList | None = None
    mcp_servers: McpServers | None = None
    global_rules: LongText | None = None


class AgentUpdate(BaseModel):
    """Fields to change; the type of an agent is fixed at creation."""

    model_config = STRICT_BODY

    name: DisplayName | None = None
    model: ModelName | None = None
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
    identity: str
    tools: list[str]
    mcp_servers: dict[str, Any]
    global_rules: str
    created_at: datetime
    updated_at: datetime


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
