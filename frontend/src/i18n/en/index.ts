// The PWA's own texts, in English: the source catalogue, one module per area of the app (t("area.key")).
// Plural texts have _one/_few/_other forms ("_few" is Czech's 2–4; English never picks it, but the two
// catalogues keep one shape so the type checker can hold them equal).
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

export const en = { common, shell, dashboard, settings, admin, agents, projects, terminal, chat, research, learning, custom, social } as const;
