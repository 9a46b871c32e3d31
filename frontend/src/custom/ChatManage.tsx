// Renaming or deleting one chat, in place (the shared RenameOrDelete: a title field with Rename, and Delete
// asking first what is lost).
import { useTranslation } from "react-i18next";
import { limits } from "../api/limits";
import { RenameOrDelete } from "../components/RenameOrDelete";
import { useDeleteChat, useRenameChat, type AgentChat } from "./api";

export function ChatManage({ chat, onDeleted }: { chat: AgentChat; onDeleted: () => void }) {
  const { t } = useTranslation();
  const rename = useRenameChat(chat.id);
  const remove = useDeleteChat(chat.id, chat.agent_id);
  return (
    <RenameOrDelete name={chat.title} field="title" limit={limits.AgentChatUpdate.title} rename={rename} remove={remove}
      deleteLabel={t("custom.manage.deleteChat")} consequence={t("custom.manage.consequence")} onDeleted={onDeleted} />
  );
}
