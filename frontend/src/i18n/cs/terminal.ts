// Terminals: the terminal page, its key bar and connection states. In Czech, key for key as ../en/terminal.ts.
import type { Catalogue } from "../types";
import type { terminal as en } from "../en/terminal";

export const terminal: Catalogue<typeof en> = {
  pageTitle: "Terminál pracovního prostoru",
  status: {
    connecting: "Připojování…",
    open: "Připojeno",
    reconnecting: "Obnovuji spojení…",
    closed: "Odpojeno",
  },
  reconnect: "Připojit znovu",
  frame: "Terminál {{name}}",
  keys: {
    bar: "Klávesy terminálu",
    left: "Šipka doleva",
    up: "Šipka nahoru",
    down: "Šipka dolů",
    right: "Šipka doprava",
    enter: "Enter",
  },
};
