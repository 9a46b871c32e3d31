// The Agent Builder, the agent form and the agent's page. In Czech, key for key as ../en/agents.ts.
import type { Catalogue } from "../types";
import type { agents as en } from "../en/agents";

export const agents: Catalogue<typeof en> = {};
