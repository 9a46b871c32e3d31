"""The tools an agent may enable and the pre-built agent templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from controlplane.models.agents import AgentType

TemplateKey = Literal["coding", "research", "learning", "social_media"]


ALL_TYPES: tuple[AgentType, ...] = get_args(AgentType)
FILE_AND_WEB: tuple[AgentType, ...] = ("coding", "research", "learning", "custom")


@dataclass(frozen=True)
class Tool:
    """A tool as people see it: a plain name and one sentence on what it lets the agent do, and the kinds of agent
    that can run it (a tool another kind cannot run is refused when the agent is saved, not ignored when it runs)."""

    label: str
    description: str
    agent_types: tuple[AgentType, ...] = ALL_TYPES


# The key is the stable code name an agent stores; the label and description are what the PWA shows.
TOOL_CATALOGUE: dict[str, Tool] = {
    "tmux": Tool(
        "Terminal control", "Open terminals in your workspace, type into them and read what they show.", ("coding",)
    ),
    "exec": Tool("Run commands", "Run commands in your workspace and read their output.", ("coding",)),
    "read_file": Tool("Read files", "Read the files in your workspace.", FILE_AND_WEB),
    "write_file": Tool("Write files", "Create and change files in your workspace.", FILE_AND_WEB),
    "web_search": Tool("Web search", "Search the web.", ALL_TYPES),
    "web_fetch": Tool("Read web pages", "Open a web page and read what it says.", ALL_TYPES),
    "claude_code": Tool(
        "Claude Code",
        "Let Claude Code search the web, read files and run commands in a separate session of its own.",
        ("research",),
    ),
    "instagram_graph": Tool(
        "Instagram", "Read and manage your Instagram feed, stories, posts, comments and messages.", ("social_media",)
    ),
    "facebook_graph": Tool(
        "Facebook", "Read and manage your Facebook page's feed, posts, comments and messages.", ("social_media",)
    ),
}


@dataclass(frozen=True)
class AgentTemplate:
    key: TemplateKey
    name: str
    type: AgentType
    description: str
    model: str
    tools: tuple[str, ...]
    identity: str
    global_rules: str = ""
    mcp_servers: dict[str, Any] = field(default_factory=dict)


CODING_IDENTITY = """\
You are a senior software engineer who manages Claude Code to deliver whole projects.
- Turn the goal into a short implementation plan of small, verifiable steps, each with acceptance criteria.
- Give Claude Code one step at a time with everything it needs: context, constraints, the definition of done.
- After each step, check the outcome yourself: read the diff, run the tests, look at the files.
- When something fails, find the cause before retrying; after three identical failures, change approach or
  escalate to the user with a precise question.
- Answer Claude Code's questions from the project's goal, architecture and conventions; never accept a
  billing or rate-limit prompt on the user's behalf.
- Keep a running record of decisions in your memory so you can resume after any interruption.
"""

RESEARCH_IDENTITY = """\
You are a careful research assistant.
- Search broadly, then read primary sources; prefer official documentation, papers and data over summaries.
- Cite every claim with its source and date; say plainly when sources disagree or when you are unsure.
- Structure answers: a short conclusion first, then the evidence, then open questions.
- Save longer findings as Markdown reports in the research folder so the user can come back to them.
"""

LEARNING_IDENTITY = """\
You are a patient, encouraging personal tutor.
- Before each lesson read student_notes.md; after it, update the notes: level, strengths, weaknesses,
  what was covered, recurring mistakes.
- Teach in small steps, ask the student to produce answers, and correct mistakes kindly with the reason.
- Adapt difficulty to the student's level; revisit weak spots regularly (spaced repetition).
- Follow the course's own instructions (language, focus, format) above your general habits.
"""

SOCIAL_IDENTITY = """\
You are a social media assistant for Instagram and Facebook.
- Write posts in the owner's voice: clear, warm, concrete; suggest relevant hashtags (5-10 for Instagram).
- Offer two or three variants when asked for a post, with a suggested image idea and best time to publish.
- Draft replies to comments and messages that are friendly and brief;
  never publish without the user's approval.
- Respect platform limits (Instagram captions up to 2,200 characters, 30 hashtags).
"""

TEMPLATES: dict[str, AgentTemplate] = {
    template.key: template
    for template in (
        AgentTemplate(
            key="coding",
            name="Coding Agent",
            type="coding",
            description="Turns your goal into a plan and has Claude Code build the whole project, step by step.",
            model="openai/gpt-5.3-codex",
            tools=("tmux", "exec", "read_file", "write_file", "web_search"),
            identity=CODING_IDENTITY,
            global_rules="- Write tests for new behaviour.\n- Commit after each completed step.\n",
        ),
        AgentTemplate(
            key="research",
            name="Research Agent",
            type="research",
            description="Web research and reports, in a chat with Claude Code that you can pick up again later.",
            model="anthropic/claude-opus-4-6",
            tools=("claude_code",),
            identity=RESEARCH_IDENTITY,
        ),
        AgentTemplate(
            key="learning",
            name="Learning & Tutor Agent",
            type="learning",
            description="A personal tutor: subjects with courses, custom instructions and progress notes.",
            model="anthropic/claude-opus-4-6",
            tools=("web_search", "web_fetch", "read_file", "write_file"),
            identity=LEARNING_IDENTITY,
        ),
        AgentTemplate(
            key="social_media",
            name="Social Media Manager",
            type="social_media",
            description="Instagram and Facebook: feed, stories, posts, comments, messages, AI writing help.",
            model="anthropic/claude-sonnet-4-5",
            tools=("instagram_graph", "facebook_graph"),
            identity=SOCIAL_IDENTITY,
        ),
    )
}


def tools_problem(agent_type: str, tools: list[str]) -> str | None:
    """Why an agent of `agent_type` cannot have `tools`, in plain words; None when it can have them all."""
    refused = [TOOL_CATALOGUE[name].label for name in tools if agent_type not in TOOL_CATALOGUE[name].agent_types]
    if not refused:
        return None
    usable = [tool.label for tool in TOOL_CATALOGUE.values() if agent_type in tool.agent_types]
    return f"This kind of agent cannot use {', '.join(refused)}; it can use {', '.join(usable)}."
