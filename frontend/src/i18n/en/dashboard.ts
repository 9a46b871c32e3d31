// The dashboard and its first-run checklist.
export const dashboard = {
  title: "Dashboard",
  workspace: {
    title: "Your workspace",
    about: "Your own space on the server, where your files, terminals and agents live.",
    technical: "Technically, it is a sandbox container.",
    loading: "Loading your workspace…",
    state: "Workspace state:",
    start: "Start",
    stop: "Stop",
    openTerminal: "Open terminal",
  },
  agents: {
    title: "Your agents",
    newAgent: "+ New Agent",
    loading: "Loading agents…",
    empty: "No agents yet. Create one from a template to get started.",
  },
  work: {
    title: "Active work",
    loading: "Loading projects…",
    empty: "Nothing is running. Projects your coding agents work on show here with their progress.",
    list: "Active projects",
  },
  firstRun: {
    title: "Getting started",
    progress: "{{done}} of {{total}} done",
    perPerson: "Each person's keys are their own: a new family member starts with none, and your agents use only yours.",
    list: "Getting started steps",
    done: " (done)",
    toDo: " (to do)",
    hide: "Hide this list",
    steps: {
      key: {
        label: "Add a key for your model's provider",
        detail: "An agent reaches its model with an API key: Anthropic's for Claude (Claude Code needs it too), OpenAI's for GPT.",
      },
      agent: {
        label: "Create an agent",
        detail: "Start from a template: its model is picked to match your keys.",
      },
      start: {
        label: "Start something",
        detail: "Give a coding agent a project and press Start.",
      },
    },
  },
} as const;
