// Terminals: the terminal page, its key bar and connection states. In Czech, key for key as ../en/terminal.ts.
import type { Catalogue } from "../types";
import type { terminal as en } from "../en/terminal";

export const terminal: Catalogue<typeof en> = {
  pageTitle: "Terminál pracovního prostoru",
  status: {
    connecting: "Připojování…",
    open: "Připojeno",
    reconnecting: "Spojení se přerušilo. Obnovuji ho…",
    notAnswering: "Váš pracovní prostor neodpovídá. Zkouším to znovu…",
    ended: "Tato relace terminálu skončila.",
    gone: "Tato relace terminálu už neexistuje.",
    forbidden: "K tomuto terminálu nemáte přístup.",
    signedOut: "Jste odhlášeni. Pro práci s terminálem se znovu přihlaste.",
    closed: "Odpojeno",
  },
  endedLine: "relace skončila",
  closeDetails: "Podrobnosti pro správce",
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
