// Terminals: the terminal page, its key bar and connection states. In Czech, key for key as ../en/terminal.ts.
import type { Catalogue } from "../types";
import type { terminal as en } from "../en/terminal";

export const terminal: Catalogue<typeof en> = {};
