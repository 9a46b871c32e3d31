// A research (/research/:id): its chat, its files (with the export) and managing it, as tabs. The chat's
// stream lives here, above the tabs, so switching tabs loses nothing of a reply being written. The page
// fills the column's height: the conversation scrolls above the composer.
import { useEffect, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { researchKeys, useAgents, useResearch, type ResearchDetail } from "../api/queries";
import { isAnswering } from "../chat/chatState";
import { useChat } from "../chat/useChat";
import { Page } from "../components/Page";
import { ErrorNote, Loading } from "../components/States";
import { ResearchChat, researchChatPath } from "../research/ResearchChat";
import { ResearchFiles } from "../research/ResearchFiles";
import { ResearchManage } from "../research/ResearchManage";
import { ResearchBadge } from "../research/ResearchPanel";

const TABS = ["chat", "files", "manage"] as const;
type Tab = (typeof TABS)[number];

export function ResearchPage() {
  const { id } = useParams();
  const researchId = Number(id);
  const research = useResearch(researchId);
  if (research.isPending) return <Loading />;
  if (research.isError) return <ErrorNote error={research.error} onRetry={() => void research.refetch()} />;
  return <ResearchView key={researchId} research={research.data} />;
}

function ResearchView({ research }: { research: ResearchDetail }) {
  const { t } = useTranslation();
  const [tab, setTab] = useState<Tab>("chat");
  const chat = useChat(researchChatPath(research.id), research.messages);
  const agent = useAgents().data?.find((a) => a.id === research.agent_id);
  // Each reply stored may have written files: the Files tab (and the lists' last activity) load afresh.
  const client = useQueryClient();
  const replies = chat.messages.filter((m) => m.role === "assistant").length;
  useEffect(() => {
    void client.invalidateQueries({ queryKey: researchKeys.files(research.id) });
    void client.invalidateQueries({ queryKey: [...researchKeys.all, "agent"] });
  }, [client, replies, research.id]);
  const tabClass = (active: boolean) =>
    `rounded-md px-3 py-1.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-sky-400 ${
      active ? "bg-slate-700 text-slate-50" : "text-slate-300 hover:bg-slate-800"
    }`;
  return (
    <Page title={research.name} fill>
      <div className="-mt-3 mb-2 flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
        <Link to={`/agents/${research.agent_id}`} className="text-sky-300 underline">
          {agent ? t("research.page.back", { agent: agent.name }) : t("research.page.backToAgent")}
        </Link>
        <ResearchBadge research={{ status: research.status, answering: isAnswering(chat) }} />
      </div>
      <div role="tablist" aria-label={t("research.page.tabs")} className="mb-2 flex gap-1">
        {TABS.map((name) => (
          <button key={name} type="button" role="tab" id={`research-tab-${name}`} aria-selected={tab === name}
            aria-controls={`research-panel-${name}`} className={tabClass(tab === name)} onClick={() => setTab(name)}>
            {t(`research.page.${name}`)}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`research-panel-${tab}`} aria-labelledby={`research-tab-${tab}`}
        className={tab === "chat" ? "flex min-h-0 flex-1 flex-col" : "min-h-0 flex-1 overflow-y-auto"}>
        {tab === "chat" && <ResearchChat research={research} chat={chat} />}
        {tab === "files" && <ResearchFiles researchId={research.id} />}
        {tab === "manage" && <ResearchManage research={research} />}
      </div>
    </Page>
  );
}
