// Terminals: the terminal page, its key bar and connection states.
export const terminal = {
  // Like the sidebar's link; no hint under it: on a phone with its keyboard up every row counts (the dashboard's
  // workspace card says what the workspace is).
  pageTitle: "Workspace terminal",
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
