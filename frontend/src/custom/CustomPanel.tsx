// A custom agent's page body: its chats, the most recently used first (title, when last used, whether it is
// answering now), "+ New Chat" (opens an empty chat, named after its first message), and renaming or deleting
// a chat in place.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import type { Agent } from "../api/queries";
import { buttonClass, FormError } from "../components/Form";
import { Empty, ErrorNote, Loading } from "../components/States";
import { lastActivity } from "../research/status";
import { useAgentChats, useCreateChat, type AgentChat } from "./api";
import { ChatManage } from "./ChatManage";

const toggleClass =
  "rounded-md px-2 py-1 text-sm text-slate-300 hover:bg-slate-800 focus-visible:outline-2 focus-visible:outline-sky-400";

export function CustomPanel({ agent }: { agent: Agent }) {
  const { t } = useTranslation();
  const chats = useAgentChats(agent.id);
  const create = useCreateChat(agent.id);
  const navigate = useNavigate();
  const start = () => create.mutate(undefined, { onSuccess: (chat) => void navigate(`/chat/${chat.id}`) });
  return (
    <section aria-labelledby="chats-h" className="rounded-xl border border-slate-800 bg-slate-900/60 p-4">
      <div className="mb-1 flex flex-wrap items-center justify-between gap-2">
        <h2 id="chats-h" className="font-semibold">{t("custom.panel.heading")}</h2>
        <button type="button" className={buttonClass.primary} onClick={start} disabled={create.isPending}>
          {create.isPending ? t("custom.panel.creating") : t("custom.panel.newChat")}
        </button>
      </div>
      <p className="mb-3 text-sm text-slate-400">{t("custom.panel.about")}</p>
      <FormError message={create.error?.message} />
      {chats.isPending && <Loading label={t("custom.panel.loading")} />}
      {chats.isError && <ErrorNote error={chats.error} onRetry={() => void chats.refetch()} />}
      {chats.data?.length === 0 && <Empty>{t("custom.panel.empty")}</Empty>}
      {chats.data && chats.data.length > 0 && (
        <ul aria-label={t("custom.panel.list")} className="divide-y divide-slate-800">
          {chats.data.map((chat) => <ChatRow key={chat.id} chat={chat} />)}
        </ul>
      )}
    </section>
  );
}

function ChatRow({ chat }: { chat: AgentChat }) {
  const { t } = useTranslation();
  const [managing, setManaging] = useState(false);
  const when = lastActivity(chat);
  return (
    <li className="py-2">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <Link to={`/chat/${chat.id}`} className="min-w-0 break-words font-medium text-sky-200 hover:underline">{chat.title}</Link>
        <span className="flex flex-wrap items-center gap-3 text-sm text-slate-400">
          {when ? t("custom.panel.lastActivity", { when }) : t("custom.panel.neverUsed")}
          {chat.answering && <span className="rounded-full bg-sky-900 px-2.5 py-0.5 text-sky-200">{t("custom.panel.answering")}</span>}
          <button type="button" className={toggleClass} aria-expanded={managing}
            aria-label={managing ? t("custom.panel.close") : t("custom.panel.manageChat", { title: chat.title })}
            onClick={() => setManaging((m) => !m)}>
            {managing ? t("custom.panel.close") : t("custom.panel.manage")}
          </button>
        </span>
      </div>
      {managing && (
        <div className="mt-2"><ChatManage chat={chat} onDeleted={() => setManaging(false)} /></div>
      )}
    </li>
  );
}
