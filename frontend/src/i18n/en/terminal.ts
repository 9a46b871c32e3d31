// Terminals: the terminal page, its key bar and connection states.
export const terminal = {
  // Like the sidebar's link; no hint under it: on a phone with its keyboard up every row counts (the dashboard's
  // workspace card says what the workspace is).
  pageTitle: "Workspace terminal",
  // The connection's state in plain words, chosen from the state and how the last connection ended (the
  // server's own words, for an admin, are under `closeDetails`).
  status: {
    connecting: "Connecting…",
    open: "Connected",
    reconnecting: "Connection lost. Reconnecting…",
    notAnswering: "Your workspace is not answering. Trying again…",
    ended: "This terminal session ended.",
    gone: "This terminal session no longer exists.",
    forbidden: "You are not allowed to open this terminal.",
    signedOut: "You are signed out. Sign in again to use the terminal.",
    closed: "Disconnected",
  },
  // Written into the terminal itself, dimmed, when its session ends: short, the status line says the rest.
  endedLine: "session ended",
  closeDetails: "Details for the admin",
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
