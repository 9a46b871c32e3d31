// Coding projects: the project page, plan, log, statuses, provider trouble, escalations. In Czech, key for key as ../en/projects.ts.
import type { Catalogue } from "../types";
import type { projects as en } from "../en/projects";

export const projects: Catalogue<typeof en> = {};
