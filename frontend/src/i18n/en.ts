// The PWA's own texts, in English: the source catalogue. Keys are grouped by where the text appears.
// Plural texts have _one/_few/_other forms ("_few" is Czech's 2–4; English never picks it, but the two
// catalogues keep one shape so the type checker can hold them equal).
export const en = {
  common: {
    loading: "Loading…",
    somethingWentWrong: "Something went wrong",
    backToDashboard: "Back to the dashboard",
    retry: "Retry",
    keepIt: "Keep it",
    deleteQuestion: "Delete “{{name}}”?",
    yesDelete: "Yes, delete {{name}}",
  },
  sandboxState: {
    running: "running",
    starting: "starting",
    stopped: "stopped",
    missing: "not created",
  },
} as const;
