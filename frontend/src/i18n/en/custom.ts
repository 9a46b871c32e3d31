// A custom agent (built from scratch in the Agent Builder): its chats on the agent's page, and a chat's page.
export const custom = {
  panel: {
    heading: "Chats",
    about: "Each chat is a conversation of its own with this agent; it remembers what was said in it.",
    newChat: "+ New Chat",
    creating: "Starting…",
    list: "Chats",
    loading: "Loading chats…",
    empty: "No chats yet. Start one with “+ New Chat”.",
    lastActivity: "Last used {{when}}",
    neverUsed: "Not used yet",
    answering: "Answering…",
    manage: "Rename or delete",
    manageChat: "Rename or delete {{title}}",
    close: "Close",
  },
  manage: {
    deleteChat: "Delete chat",
    consequence: "Its conversation is removed for good, with the chat's own folder in your workspace.",
  },
  page: {
    back: "← {{agent}}",
    backToAgent: "← Back to the agent",
    manage: "Rename or delete",
    close: "Close",
  },
};
