"""Instance specs: everything an instance process needs, built by the control plane and read by the instance.

A spec travels once, as the first line on the instance's stdin (inside an `instance.start` request over the
engine's exec stream), so keys never touch a file or a command line in the sandbox. Every default is written
here once: the control plane's settings and the instance read the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from autocode_runner.contract.chat import ChatTurn
from autocode_runner.contract.convert import ContractError, from_dict, to_dict
from autocode_runner.contract.learning import LevelScale
from autocode_runner.contract.plan import PlanStep
from autocode_runner.contract.vocab import ProjectStatus
from autocode_runner.contract.wire import InstanceKind

SPEC_VERSION = 1
PROVIDER_RETRY_SECONDS = (30.0, 60.0, 120.0, 300.0, 600.0)


@dataclass(frozen=True)
class ModelAccess:
    """A provider's key (and its endpoint when the user set one)."""

    api_key: str
    base_url: str | None = None


@dataclass(frozen=True)
class AgentProfile:
    id: int
    model: str
    identity: str = ""
    tools: list[str] = field(default_factory=list)
    mcp_servers: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ClaudeOptions:
    """How Claude Code runs in a project; the sandbox is the isolation boundary, so it may bypass prompts."""

    access: ModelAccess
    permission_mode: str = "bypassPermissions"
    max_retries: int | None = None  # Claude Code's own default (10) when None
    model: str = ""  # `claude --model` (an alias such as "opus" or a full name); "" is Claude Code's default


@dataclass(frozen=True)
class Timing:
    """How the manager watches Claude Code."""

    poll_seconds: float = 2.0  # capture-pane interval
    silence_seconds: float = 300.0  # no screen change for this long: interrupt and ask why
    max_attempts: int = 3  # the same error this often in a step: another approach once, then ask the user
    # A provider that cannot be reached (connection, timeout, 5xx, a retryable 429) is tried again after each of
    # these waits in turn; after the last, the project waits for the user's Retry.
    provider_retry_seconds: list[float] = field(default_factory=lambda: list(PROVIDER_RETRY_SECONDS))


@dataclass(frozen=True)
class CodingSpec:
    """One coding project's manager: the project, its agent, both keys and the timing."""

    name: str
    workspace: str
    goal: str
    tmux_session: str
    rules_file: str
    agent: AgentProfile
    manager: ModelAccess
    claude: ClaudeOptions
    architecture: str = ""
    details: str = ""
    plan: list[PlanStep] = field(default_factory=list)
    current_step: int = 0
    status: ProjectStatus = ProjectStatus.PLANNING
    loop_state: dict[str, Any] = field(default_factory=dict)
    claude_session_id: str = ""
    escalation: str = ""
    timing: Timing = field(default_factory=Timing)
    version: int = SPEC_VERSION


@dataclass(frozen=True)
class EchoSpec:
    """The echo kind: greets, logs what it is told to `say`, and reports how many it has heard as state."""

    greeting: str = "hello"
    heard: int = 0  # resumed from the last state the control plane stored
    version: int = SPEC_VERSION


RESEARCH_IDLE_SECONDS = 600.0
# Claude Code's own retries of a failed request before the turn ends in an `error` the user may retry: few, so the
# chat says what happened in seconds rather than after Claude Code's ten backed-off attempts.
RESEARCH_MAX_RETRIES = 2
# Claude Code's tools a research may use without asking: the web, reading anywhere, writing in its workspace
# (Claude Code's permission rules; "Write(./**)" is relative to the working directory).
RESEARCH_ALLOWED_TOOLS = ("WebSearch", "WebFetch", "Read", "Glob", "Grep", "Write(./**)", "Edit(./**)")


@dataclass(frozen=True)
class ResearchSpec:
    """One research's chat: its own workspace and Claude Code session, the agent's prompt and model."""

    workspace: str  # /home/agent/research/<slug>: Claude Code's working directory
    model: str  # the agent's model, "anthropic/<name>"
    system_prompt: str  # the agent's identity and global rules
    access: ModelAccess  # the user's Anthropic key (and its base URL)
    session_id: str = ""  # the Claude Code session to resume; "" starts one
    history: list[ChatTurn] = field(default_factory=list)  # the stored conversation, should the session be lost
    allowed_tools: list[str] = field(default_factory=lambda: list(RESEARCH_ALLOWED_TOOLS))
    idle_seconds: float = RESEARCH_IDLE_SECONDS  # no message for this long: the process exits (resumed on the next)
    max_retries: int = RESEARCH_MAX_RETRIES  # CLAUDE_CODE_MAX_RETRIES for its requests
    version: int = SPEC_VERSION


LEARNING_IDLE_SECONDS = 600.0
# The conversation a tutor's request carries besides the rolling summary: once the turns not yet summarised pass
# `fold_above_chars`, the oldest are folded into the summary until `keep_recent_chars` remain (characters: ~4
# per token; what the student says is never cut inside a message).
LEARNING_FOLD_ABOVE_CHARS = 24_000
LEARNING_KEEP_RECENT_CHARS = 8_000


@dataclass(frozen=True)
class CourseSpec:
    """One course's tutor: the course directory, the agent's model, prompt and tools, the course's own
    instructions and level, the user's key for the model's provider."""

    directory: str  # /home/agent/learning/<subject-slug>/<course-slug>: notes, history, the tutor's files
    subject: str  # the subject's name, as the user wrote it
    course: str  # the course's name
    instructions: str  # the course's own instructions ("Conversation practice in English, B1")
    model: str  # the agent's model, "<provider>/<name>"
    system_prompt: str  # the agent's identity and global rules
    access: ModelAccess  # the user's key for the model's provider (and its base URL)
    tools: list[str] = field(default_factory=list)  # the agent's catalogue tools: web_search, web_fetch, ...
    level_scale: LevelScale = LevelScale.FREE
    level: str = ""
    history: list[ChatTurn] = field(default_factory=list)  # the stored conversation, should chat_history.json be lost
    fold_above_chars: int = LEARNING_FOLD_ABOVE_CHARS
    keep_recent_chars: int = LEARNING_KEEP_RECENT_CHARS
    idle_seconds: float = LEARNING_IDLE_SECONDS
    version: int = SPEC_VERSION


CUSTOM_IDLE_SECONDS = 600.0


@dataclass(frozen=True)
class McpServer:
    """One MCP server of an agent, secrets in clear (they live in the spec, in memory, never in a file): a process
    started in the sandbox (`command`, `args`, `env`) or a server reached at `url` (with `headers`)."""

    name: str  # its tools are named mcp_<name>_<tool>
    command: str = ""
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    url: str = ""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CustomSpec:
    """One chat of a custom agent: the chat's folder, the agent's model, prompt, catalogue tools and MCP servers,
    the user's key for the model's provider, and the stored conversation (should the chat's history file be lost)."""

    directory: str  # /home/agent/agents/<agent-slug>/chats/<chat-id>: history.json and nanobot's files
    workspace: str  # /home/agent/agents/<agent-slug>: the agent's files, shared by its chats (file tools stay in it)
    agent: str  # the agent's name, as the user wrote it
    model: str  # the agent's model, "<provider>/<name>"
    system_prompt: str  # the agent's identity and global rules
    access: ModelAccess  # the user's key for the model's provider (and its base URL)
    tools: list[str] = field(default_factory=list)  # the agent's catalogue tools that nanobot has: web_search, ...
    mcp_servers: list[McpServer] = field(default_factory=list)
    history: list[ChatTurn] = field(default_factory=list)  # the stored conversation, should history.json be lost
    idle_seconds: float = CUSTOM_IDLE_SECONDS
    version: int = SPEC_VERSION


SPEC_TYPES: dict[InstanceKind, type[Any]] = {
    InstanceKind.CODING: CodingSpec,
    InstanceKind.ECHO: EchoSpec,
    InstanceKind.RESEARCH: ResearchSpec,
    InstanceKind.LEARNING: CourseSpec,
    InstanceKind.CUSTOM: CustomSpec,
}
AnySpec = CodingSpec | EchoSpec | ResearchSpec | CourseSpec | CustomSpec


def encode_spec(spec: AnySpec) -> dict[str, Any]:
    return to_dict(spec)


def decode_spec(kind: InstanceKind, data: object) -> Any:
    """The kind's spec from JSON data; a spec of another version is refused rather than half-read."""
    if isinstance(data, dict) and data.get("version", SPEC_VERSION) != SPEC_VERSION:
        raise ContractError(f"spec version {data.get('version')!r}, this runner reads version {SPEC_VERSION}")
    return from_dict(SPEC_TYPES[kind], data)
