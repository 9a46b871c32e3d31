// The social media manager on its agent's page: the sub-navigation as tabs (Feed, Stories, New Post, Inbox, AI
// Assistant, Scheduled, Accounts), addressed in the URL as ?tab=…, in one scrollable row on a phone. The AI
// Assistant's "Use in New Post" keeps the draft for the composer (draft.ts) and opens New Post, which takes it.
import { useCallback, useRef, type KeyboardEvent } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import type { Agent } from "../api/queries";
import { SocialAssistant } from "./assistant/SocialAssistant";
import { sendToComposer, type PostDraft } from "./draft";
import { AccountsSection } from "./Accounts";
import { Composer } from "./Composer";
import { FeedSection } from "./Feed";
import { InboxSection } from "./Inbox";
import { GoToSection, SECTIONS, sectionOf, type Section } from "./nav";
import { ScheduledSection } from "./Scheduled";
import { StoriesSection } from "./Stories";

export function SocialPanel({ agent }: { agent: Agent }) {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const tab = sectionOf(params.get("tab"));
  const tabs = useRef<Record<string, HTMLButtonElement | null>>({});
  const goTo = useCallback(
    (section: Section) => setParams((old) => {
      const next = new URLSearchParams(old);
      next.set("tab", section);
      return next;
    }),
    [setParams],
  );
  const useDraft = useCallback(
    (draft: PostDraft) => {
      sendToComposer(agent.id, draft);
      goTo("new");
    },
    [agent.id, goTo],
  );
  const onKey = (event: KeyboardEvent<HTMLDivElement>) => {
    const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    if (!step) return;
    const next = SECTIONS[(SECTIONS.indexOf(tab) + step + SECTIONS.length) % SECTIONS.length];
    goTo(next);
    tabs.current[next]?.focus();
  };
  const tabClass = (active: boolean) =>
    `shrink-0 rounded-md px-3 py-1.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-sky-400 ${
      active ? "bg-slate-700 text-slate-50" : "text-slate-300 hover:bg-slate-800"
    }`;

  return (
    <GoToSection.Provider value={goTo}>
      <section aria-label={t("social.panel.heading")} className="min-w-0 space-y-3">
        <div role="tablist" aria-label={t("social.panel.sections")} onKeyDown={onKey}
          className="-mx-1 flex gap-1 overflow-x-auto px-1 pb-1 [scrollbar-width:thin]">
          {SECTIONS.map((name) => (
            <button key={name} type="button" role="tab" id={`social-tab-${name}`} aria-selected={tab === name}
              aria-controls={`social-panel-${name}`} tabIndex={tab === name ? 0 : -1}
              ref={(el) => { tabs.current[name] = el; }} className={tabClass(tab === name)} onClick={() => goTo(name)}>
              {t(`social.panel.tabs.${name}`)}
            </button>
          ))}
        </div>
        <div role="tabpanel" id={`social-panel-${tab}`} aria-labelledby={`social-tab-${tab}`} className="min-w-0">
          {tab === "feed" && <FeedSection agentId={agent.id} />}
          {tab === "stories" && <StoriesSection agentId={agent.id} />}
          {tab === "new" && <Composer agentId={agent.id} />}
          {tab === "inbox" && <InboxSection agentId={agent.id} />}
          {tab === "assistant" && (
            <div className="flex h-[70dvh] min-h-[22rem] flex-col">
              <SocialAssistant agent={agent} onUseInComposer={useDraft} />
            </div>
          )}
          {tab === "scheduled" && <ScheduledSection agentId={agent.id} />}
          {tab === "accounts" && <AccountsSection agentId={agent.id} />}
        </div>
      </section>
    </GoToSection.Provider>
  );
}
