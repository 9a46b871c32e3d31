// The PWA's own texts in Czech, one module per area, each held key for key to its English one.
import type { Catalogue } from "../types";
import { common } from "./common";
import { shell } from "./shell";
import { dashboard } from "./dashboard";
import { settings } from "./settings";
import { admin } from "./admin";
import { agents } from "./agents";
import { projects } from "./projects";
import { terminal } from "./terminal";
import { chat, research } from "./research";
import { learning } from "./learning";
import { custom } from "./custom";
import { social } from "./social";

export const cs: Catalogue = { common, shell, dashboard, settings, admin, agents, projects, terminal, chat, research, learning, custom, social };
