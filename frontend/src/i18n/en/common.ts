// Shared pieces: loading, errors, confirmations, the sandbox's state words.
export const common = {
  loading: "Loading…",
  somethingWentWrong: "Something went wrong",
  backToDashboard: "Back to the dashboard",
  retry: "Retry",
  fixFields: "Please correct the highlighted fields.",
  keepIt: "Keep it",
  deleteQuestion: "Delete “{{name}}”?",
  yesDelete: "Yes, delete {{name}}",
  manage: {
    name: "Name",
    rename: "Rename",
    saving: "Saving…",
    renamed: "Renamed.",
  },
  sandboxState: {
    running: "running",
    starting: "starting",
    stopped: "stopped",
    missing: "not created",
  },
} as const;
