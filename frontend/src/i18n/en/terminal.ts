// Terminals: the terminal page, its key bar and connection states.
export const terminal = {
  page: {
    title: "Workspace terminal",
    hint: "A command line in your workspace (technically, a sandbox container).",
  },
  status: {
    connecting: "Connecting…",
    open: "Connected",
    reconnecting: "Reconnecting…",
    closed: "Disconnected",
  },
  reconnect: "Reconnect",
  frame: "Terminal {{name}}",
  // The key bar: Esc, Tab and Ctrl show their names as keyboards print them; these are spoken names.
  keys: {
    bar: "Terminal keys",
    left: "Arrow left",
    up: "Arrow up",
    down: "Arrow down",
    right: "Arrow right",
    enter: "Enter",
  },
} as const;
