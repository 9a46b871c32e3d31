"""Every table of the control plane. Importing this package registers them all on SQLModel.metadata."""

from controlplane.models.agents import AGENT_TYPES, Agent, AgentInstance, Log
from controlplane.models.base import UTCDateTime, utcnow
from controlplane.models.chat import ChatMessage
from controlplane.models.custom import AgentChat
from controlplane.models.keys import ApiKey
from controlplane.models.learning import ReviewCard
from controlplane.models.sandboxes import SandboxRecord
from controlplane.models.social import (
    SocialAccount,
    SocialConnection,
    SocialInboxRead,
    SocialMedia,
    SocialOAuthState,
    SocialPost,
    SocialPostTarget,
)
from controlplane.models.users import ROLES, AuditEvent, RefreshToken, User, UserPreferences
from controlplane.models.workspaces import LearningCourse, LearningSubject, Project, ResearchSession

__all__ = [
    "AGENT_TYPES",
    "ROLES",
    "Agent",
    "AgentChat",
    "AgentInstance",
    "ApiKey",
    "AuditEvent",
    "ChatMessage",
    "LearningCourse",
    "LearningSubject",
    "Log",
    "Project",
    "RefreshToken",
    "ResearchSession",
    "ReviewCard",
    "SandboxRecord",
    "SocialAccount",
    "SocialConnection",
    "SocialInboxRead",
    "SocialMedia",
    "SocialOAuthState",
    "SocialPost",
    "SocialPostTarget",
    "UTCDateTime",
    "User",
    "UserPreferences",
    "utcnow",
]
