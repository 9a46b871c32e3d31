// The app's frame: navigation, sign-in, offline, not found, the page layout, form helpers. In Czech, key for key as ../en/shell.ts.
import type { Catalogue } from "../types";
import type { shell as en } from "../en/shell";

export const shell: Catalogue<typeof en> = {};
