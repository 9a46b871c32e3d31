// The social media manager's AI Assistant: the shared chat view over the agent's one assistant chat
// (/ws/social/ai/chat?agent_id=), words only. Each post the assistant proposes (a ```post block) shows as a card
// with "Use in New Post", which hands the post to the composer; a reply without a post block gets a smaller
// "Use in New Post" that takes its whole text. The page decides what handing over means (onUseInComposer: with
// sendToComposer and the New Post section, usually).
import { useMemo } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { limits } from "../../api/limits";
import type { Agent } from "../../api/queries";
import { ChatView, type ChatActions } from "../../chat/ChatView";
import { Markdown } from "../../chat/Markdown";
import type { ChatMessage } from "../../chat/types";
import { useChat } from "../../chat/useChat";
import { buttonClass } from "../../components/Form";
import { ErrorNote, Loading } from "../../components/States";
import { captionOf, type PostDraft } from "../draft";
import { assistantChatPath, assistantKeys, interruptAssistant, sendAssistantMessage, useAssistantChat, type AssistantChat } from "./api";
import { draftFrom, splitPostBlocks } from "./postBlocks";

// Instagram's limits (controlplane/social/assistant.py: CAPTION_MAX_CHARS, HASHTAGS_MAX): a card says when a post
// goes over them, before the composer does.
const CAPTION_MAX_CHARS = 2200;
const HASHTAGS_MAX = 30;

type UseDraft = (draft: PostDraft) => void;

interface Props {
  agent: Agent;
  onUseInComposer: UseDraft;
}

export function SocialAssistant({ agent, onUseInComposer }: Props) {
  const { t } = useTranslation();
  const chat = useAssistantChat(agent.id);
  if (chat.isPending) return <Loading label={t("social.assistant.loading")} />;
  if (chat.isError) return <ErrorNote error={chat.error} onRetry={() => void chat.refetch()} />;
  return <AssistantChatView key={agent.id} agentId={agent.id} detail={chat.data} onUse={onUseInComposer} />;
}

function AssistantChatView({ agentId, detail, onUse }: { agentId: number; detail: AssistantChat; onUse: UseDraft }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const chat = useChat(assistantChatPath(agentId), detail.messages);
  const actions = useMemo<ChatActions>(() => {
    const stored = (answer: AssistantChat) => {
      client.setQueryData(assistantKeys.chat(agentId), answer);
      return answer;
    };
    return {
      send: ({ text }) => sendAssistantMessage(agentId, { text }).then(stored),
      stop: () => interruptAssistant(agentId),
      retry: (turn) => sendAssistantMessage(agentId, { text: "", retry_of: turn }).then(stored),
    };
  }, [agentId, client]);
  const reply = useMemo(() => (message: ChatMessage) => <Reply message={message} onUse={onUse} />, [onUse]);
  return (
    <div className="flex min-h-0 flex-1 flex-col gap-2">
      <p className="text-sm text-slate-300">{t("social.assistant.about")}</p>
      <ChatView chat={chat} actions={actions} reply={reply} allowFiles={false}
        maxLength={limits.SocialAssistantMessageBody.text.maxLength} />
    </div>
  );
}

/** A stored reply: its Markdown with a card in place of each post block, or a small "Use in New Post" under it. */
function Reply({ message, onUse }: { message: ChatMessage; onUse: UseDraft }) {
  const { t } = useTranslation();
  const parts = splitPostBlocks(message.content);
  if (!parts.some((part) => part.kind === "post")) {
    return (
      <div>
        <Markdown>{message.content}</Markdown>
        <button type="button" className="mt-1 rounded-md border border-slate-600 px-2 py-1 text-xs text-slate-200 hover:bg-slate-800 focus-visible:outline-2 focus-visible:outline-sky-300"
          onClick={() => onUse(draftFrom(message.content))}>
          {t("social.assistant.useInNewPost")}
        </button>
      </div>
    );
  }
  let posts = 0;
  return (
    <div>
      {parts.map((part, index) =>
        part.kind === "markdown"
          ? <Markdown key={index}>{part.markdown}</Markdown>
          : <PostCard key={index} number={(posts += 1)} draft={part.draft} onUse={onUse} />,
      )}
    </div>
  );
}

function PostCard({ draft, number, onUse }: { draft: PostDraft; number: number; onUse: UseDraft }) {
  const { t, i18n } = useTranslation();
  const chars = captionOf(draft).length;
  const count = (n: number) => n.toLocaleString(i18n.language);
  return (
    <section aria-label={t("social.assistant.post", { number })} data-post
      className="my-2 rounded-lg border border-sky-800 bg-slate-900/80 p-3 text-sm">
      {draft.text && <p className="whitespace-pre-wrap break-words">{draft.text}</p>}
      {draft.hashtags.length > 0 && (
        <p className="mt-2 break-words text-sky-300">{draft.hashtags.map((tag) => `#${tag}`).join(" ")}</p>
      )}
      {chars > CAPTION_MAX_CHARS && (
        <p className="mt-2 text-xs text-amber-200">{t("social.assistant.tooLong", { chars: count(chars), max: count(CAPTION_MAX_CHARS) })}</p>
      )}
      {draft.hashtags.length > HASHTAGS_MAX && (
        <p className="mt-2 text-xs text-amber-200">{t("social.assistant.tooManyHashtags", { tags: draft.hashtags.length, max: HASHTAGS_MAX })}</p>
      )}
      <button type="button" className={`${buttonClass.primary} mt-3`} onClick={() => onUse(draft)}>
        {t("social.assistant.useInNewPost")}
      </button>
    </section>
  );
}
