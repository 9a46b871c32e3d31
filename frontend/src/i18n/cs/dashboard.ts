// The dashboard and its first-run checklist. In Czech, key for key as ../en/dashboard.ts.
import type { Catalogue } from "../types";
import type { dashboard as en } from "../en/dashboard";

export const dashboard: Catalogue<typeof en> = {};
