// A custom agent's chat (/chat/:id): the conversation with the agent (the shared chat view: Stop, Retry, tool
// cards), a way back to the agent's chats, and renaming or deleting the chat. Each stored reply may have
// changed the chat's title and its place in the list: they load afresh.
import { useEffect, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { useAgents } from "../api/queries";
import { useChat } from "../chat/useChat";
import { Page } from "../components/Page";
import { ErrorNote, Loading } from "../components/States";
import { customChatPath, customKeys, useAgentChat, type AgentChatDetail } from "../custom/api";
import { ChatManage } from "../custom/ChatManage";
import { CustomChat } from "../custom/CustomChat";

export function CustomChatPage() {
  const { id } = useParams();
  const chatId = Number(id);
  const chat = useAgentChat(chatId);
  if (chat.isPending) return <Loading />;
  if (chat.isError) return <ErrorNote error={chat.error} onRetry={() => void chat.refetch()} />;
  return <CustomChatView key={chatId} detail={chat.data} />;
}

function CustomChatView({ detail }: { detail: AgentChatDetail }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [managing, setManaging] = useState(false);
  const chat = useChat(customChatPath(detail.id), detail.messages);
  const agent = useAgents().data?.find((a) => a.id === detail.agent_id);
  const client = useQueryClient();
  const replies = chat.messages.filter((m) => m.role === "assistant").length;
  useEffect(() => {
    void client.invalidateQueries({ queryKey: customKeys.chats(detail.agent_id) });
  }, [client, replies, detail.agent_id]);
  const back = `/agents/${detail.agent_id}`;
  return (
    <Page title={detail.title} fill>
      <div className="-mt-3 mb-2 flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
        <Link to={back} className="text-sky-300 underline">
          {agent ? t("custom.page.back", { agent: agent.name }) : t("custom.page.backToAgent")}
        </Link>
        <button type="button" aria-expanded={managing} onClick={() => setManaging((m) => !m)}
          className="rounded-md px-2 py-1 text-slate-300 hover:bg-slate-800 focus-visible:outline-2 focus-visible:outline-sky-400">
          {managing ? t("custom.page.close") : t("custom.page.manage")}
        </button>
      </div>
      {managing && (
        <div className="mb-2"><ChatManage chat={detail} onDeleted={() => void navigate(back)} /></div>
      )}
      <div className="flex min-h-0 flex-1 flex-col"><CustomChat chatId={detail.id} chat={chat} /></div>
    </Page>
  );
}
