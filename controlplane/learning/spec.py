"""The tutor's spec for one course: the course directory, the agent's model, prompt and tools, the course's
instructions and level, the user's key for the model's provider, and the stored conversation (should
chat_history.json be gone)."""

from __future__ import annotations

from autocode_runner.contract.chat import ChatTurn
from autocode_runner.contract.learning import LevelScale
from autocode_runner.contract.specs import LEARNING_IDLE_SECONDS, CourseSpec, ModelAccess
from sqlmodel import Session

from controlplane.chat.agent import model_key, system_prompt
from controlplane.learning.layout import course_path
from controlplane.models import Agent, LearningCourse, LearningSubject
from controlplane.projects.keys import ProviderKey
from controlplane.security.secretbox import SecretBox


def tutor_key(session: Session, box: SecretBox, user_id: int, agent: Agent) -> ProviderKey:
    """The user's key for the provider of the tutor's model; a MissingKey naming it when there is none."""
    return model_key(session, box, user_id, agent, "the tutor's")


def course_spec(
    course: LearningCourse,
    subject: LearningSubject,
    agent: Agent,
    key: ProviderKey,
    history: list[ChatTurn],
    idle_seconds: float = LEARNING_IDLE_SECONDS,
) -> CourseSpec:
    return CourseSpec(
        directory=course_path(subject.slug, course.slug),
        subject=subject.name,
        course=course.name,
        instructions=course.instructions,
        model=agent.model,
        system_prompt=system_prompt(agent),
        access=ModelAccess(key.api_key, key.base_url),
        tools=list(agent.tools),
        level_scale=LevelScale(course.level_scale),
        level=course.level,
        history=history,
        idle_seconds=idle_seconds,
    )
