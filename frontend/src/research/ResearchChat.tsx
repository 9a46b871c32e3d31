// The research's chat: the shared chat view over this research's stream and routes.
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { limits as formLimits } from "../api/limits";
import { interruptResearch, sendResearchMessage, type ResearchDetail } from "../api/queries";
import { ChatView, type ChatActions } from "../chat/ChatView";
import type { LiveChat } from "../chat/useChat";
import { fetchResearchFile } from "./download";
import { useResearchLimits } from "./limits";

export function researchChatPath(researchId: number): string {
  return `/ws/research/${researchId}/chat`;
}

export function ResearchChat({ research, chat }: { research: ResearchDetail; chat: LiveChat }) {
  const { t } = useTranslation();
  const id = research.id;
  const actions = useMemo<ChatActions>(
    () => ({
      send: ({ text, attachments }) =>
        sendResearchMessage(id, { text, attachments: attachments.map(({ name, media_type, content_base64 }) => ({ name, media_type, content_base64 })) }),
      stop: () => interruptResearch(id),
      retry: (turn) => sendResearchMessage(id, { text: "", retry_of: turn }),
      loadAttachment: (path) => fetchResearchFile(id, path),
    }),
    [id],
  );
  const limits = useResearchLimits();
  const closed = research.status === "archived" ? t("research.page.archivedNote") : undefined;
  return <ChatView chat={chat} actions={actions} closed={closed} maxLength={formLimits.MessageBody.text.maxLength}
    limits={limits} />;
}
