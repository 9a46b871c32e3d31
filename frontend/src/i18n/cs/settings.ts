// Settings: keys, preferences, one's own password. In Czech, key for key as ../en/settings.ts.
import type { Catalogue } from "../types";
import type { settings as en } from "../en/settings";

export const settings: Catalogue<typeof en> = {};
