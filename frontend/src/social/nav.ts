// The social media manager's sections (the agent page's sub-navigation, addressed as ?tab=…) and the way a
// section sends the person to another (a problem's "Reconnect" goes to Accounts).
import { createContext, useContext } from "react";

export const SECTIONS = ["feed", "stories", "new", "inbox", "assistant", "scheduled", "accounts"] as const;
export type Section = (typeof SECTIONS)[number];

export function sectionOf(value: string | null): Section {
  return SECTIONS.find((section) => section === value) ?? "feed";
}

export const GoToSection = createContext<(section: Section) => void>(() => undefined);

export function useGoTo(): (section: Section) => void {
  return useContext(GoToSection);
}
