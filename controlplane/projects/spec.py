"""The coding instance's spec: everything a project's manager process needs, sent once over the runner channel.

Keys travel only here (over the engine's exec stream into the runner, then the instance's stdin), never
through a file or a command line in the sandbox.
"""

from __future__ import annotations

from autocode_runner.contract.specs import AgentProfile, ClaudeOptions, CodingSpec, ModelAccess, Timing
from autocode_runner.contract.vocab import ProjectStatus

from controlplane.config import Settings
from controlplane.models import Agent, Project
from controlplane.projects.keys import ProjectKeys
from controlplane.projects.layout import SANDBOX_HOME, claude_session_name, rules_file, workspace_dir
from controlplane.projects.plans import read_plan


def coding_spec(project: Project, agent: Agent, keys: ProjectKeys, settings: Settings) -> CodingSpec:
    return CodingSpec(
        name=project.name,
        workspace=f"{SANDBOX_HOME}/{workspace_dir(project.slug)}",
        goal=project.description,
        architecture=project.architecture,
        details=project.details,
        plan=read_plan(project),
        current_step=project.current_step,
        status=ProjectStatus(project.status),
        loop_state=project.loop_state,
        claude_session_id=project.claude_session_id,
        escalation=project.escalation,
        tmux_session=claude_session_name(project.id or 0),
        rules_file=f"{SANDBOX_HOME}/{rules_file(agent.id or 0)}",
        agent=AgentProfile(
            id=agent.id or 0,
            model=agent.model,
            identity=agent.identity,
            tools=list(agent.tools),
            mcp_servers=dict(agent.mcp_servers),
        ),
        manager=ModelAccess(keys.manager.api_key, keys.manager.base_url),
        claude=ClaudeOptions(
            access=ModelAccess(keys.claude.api_key, keys.claude.base_url),
            permission_mode=settings.claude_permission_mode,
            max_retries=settings.claude_max_retries,
            model=agent.claude_model,
        ),
        timing=Timing(
            poll_seconds=settings.project_poll_seconds,
            silence_seconds=settings.project_silence_seconds,
            max_attempts=settings.project_max_attempts,
            provider_retry_seconds=list(settings.project_provider_retry_seconds),
        ),
    )
