// How each agent type is named and what its page will hold.
export const AGENT_TYPES = ["coding", "research", "learning", "social_media", "custom"] as const;
export type AgentType = (typeof AGENT_TYPES)[number];

export const TYPE_LABEL: Record<string, string> = {
  coding: "Coding",
  research: "Research",
  learning: "Learning",
  social_media: "Social media",
  custom: "Custom",
};

/** What the agent's page will offer once its feature lands. */
export const TYPE_FEATURES: Record<string, string> = {
  coding:
    "Projects: give a goal, and the agent writes an implementation plan and drives Claude Code in your workspace " +
    "through it, step by step. You will follow its live terminal, logs and progress here, and answer its questions.",
  research:
    "Researches: each one a chat with Claude Code in a session of its own that you can come back to, with reports saved as Markdown.",
  learning:
    "Subjects and courses: one continuous tutor conversation per course, with the tutor's notes on your progress.",
  social_media:
    "Your Instagram and Facebook accounts: feed, stories, posts, comments and messages, with an AI writing assistant.",
  custom: "Chat with this agent in your workspace, using the tools and connections to other services you gave it.",
};
