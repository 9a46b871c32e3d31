// How each agent type is named and what its page will hold, in the person's language (agents.type.*,
// agents.features.*), looked up when read, never at module load, so a language change shows at once.
import { i18n } from "../i18n/index";

export const AGENT_TYPES = ["coding", "research", "learning", "social_media", "custom"] as const;
export type AgentType = (typeof AGENT_TYPES)[number];

function isAgentType(type: string): type is AgentType {
  return (AGENT_TYPES as readonly string[]).includes(type);
}

/** The type's plain name ("Coding"), or the type itself for one this PWA does not know. */
export function typeLabel(type: string): string {
  return isAgentType(type) ? i18n.t(`agents.type.${type}`) : type;
}

/** What the agent's page will offer once its type's feature lands (a custom agent's for an unknown type). */
export function typeFeatures(type: string): string {
  return i18n.t(`agents.features.${isAgentType(type) ? type : "custom"}`);
}

/** Each known type's plain name, read at the time of use: `TYPE_LABEL[type] ?? type`. */
export const TYPE_LABEL: Readonly<Record<string, string>> = Object.defineProperties(
  {},
  Object.fromEntries(AGENT_TYPES.map((type) => [type, { enumerable: true, get: () => typeLabel(type) }])),
);
