// The conversation: the person's messages (a failed one with its error and Retry), the agent's replies
// (Markdown, tool cards, usage and cost, said quietly), notices, and the reply being written.
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { buttonClass } from "../components/Form";
import { StoredAttachments, type AttachmentLoader } from "./Attachments";
import type { LiveReply } from "./chatState";
import { Markdown } from "./Markdown";
import { ToolCards } from "./ToolCards";
import type { ChatMessage, ChatUsage } from "./types";

export interface RetryState {
  onRetry: (turn: number) => void;
  /** The turn being sent again, if any. */
  retrying: number | null;
  /** Why the last retry failed. */
  error: string | null;
}

function Usage({ usage, cost }: { usage?: ChatUsage | null; cost?: number | null }) {
  const { t, i18n } = useTranslation();
  if (!usage && cost == null) return null;
  const parts: string[] = [];
  if (usage) {
    const input = usage.input_tokens + usage.cache_read_input_tokens + usage.cache_creation_input_tokens;
    const number = (n: number) => n.toLocaleString(i18n.language);
    parts.push(t("chat.usage", { input: number(input), output: number(usage.output_tokens) }));
  }
  if (cost != null) parts.push(t("chat.cost", { cost: cost.toLocaleString(i18n.language, { maximumFractionDigits: 4 }) }));
  return <p className="mt-1 text-xs text-slate-400" data-usage>{parts.join(" · ")}</p>;
}

/** What the kind's page says about a user's message besides its words (a review answer: which card). */
export type AboutMessage = (message: ChatMessage) => string | null;

function UserMessage({ message, retry, load, about }: {
  message: ChatMessage;
  retry: RetryState;
  load?: AttachmentLoader;
  about?: AboutMessage;
}) {
  const { t } = useTranslation();
  const failed = message.status === "failed";
  const label = about?.(message) ?? null;
  return (
    <li className="flex flex-col items-end" data-role="user" data-status={message.status}>
      <span className="sr-only">{t("chat.you")}:</span>
      <div className="max-w-[85%] rounded-2xl rounded-br-sm bg-sky-900/60 px-3 py-2 text-sm">
        {label && <p className="mb-1 text-xs text-sky-200" data-about>{label}</p>}
        {message.content && <p className="whitespace-pre-wrap break-words">{message.content}</p>}
        <StoredAttachments attachments={message.attachments ?? []} load={load} />
      </div>
      {failed && (
        <div className="mt-1 flex max-w-[85%] flex-wrap items-center justify-end gap-2 text-sm text-red-300">
          <span>{t("chat.failed", { error: message.error })}</span>
          <button type="button" className={buttonClass.secondary} disabled={retry.retrying === message.id}
            onClick={() => retry.onRetry(message.id)}>
            {retry.retrying === message.id ? t("chat.retrying") : t("chat.retry")}
          </button>
          {retry.error && retry.retrying === null && <span role="alert">{retry.error}</span>}
        </div>
      )}
    </li>
  );
}

/** How the kind shows a stored reply's words (Markdown when it has nothing of its own). */
export type ReplyView = (message: ChatMessage) => ReactNode;

function AgentMessage({ message, reply }: { message: ChatMessage; reply?: ReplyView }) {
  const { t } = useTranslation();
  return (
    <li data-role="assistant" data-status={message.status}>
      <span className="sr-only">{t("chat.agent")}:</span>
      <ToolCards tools={message.tools ?? []} />
      {message.content && (reply ? reply(message) : <Markdown>{message.content}</Markdown>)}
      {message.status === "interrupted" && <p className="text-xs italic text-amber-200">{t("chat.interrupted")}</p>}
      <Usage usage={message.usage} cost={message.cost_usd} />
    </li>
  );
}

function Notice({ message }: { message: ChatMessage }) {
  const { t } = useTranslation();
  return (
    <li data-role="notice" className="text-center text-xs text-slate-300">
      <span className="rounded-full border border-slate-700 px-3 py-1">
        <span className="sr-only">{t("chat.notice")}: </span>{message.content}
      </span>
    </li>
  );
}

function LiveMessage({ live }: { live: LiveReply }) {
  const { t } = useTranslation();
  return (
    <li data-role="assistant" data-status="writing">
      <span className="sr-only">{t("chat.agent")}:</span>
      <ToolCards tools={live.tools} />
      {live.text && <Markdown>{live.text}</Markdown>}
      <p role="status" className="flex items-center gap-2 text-xs text-slate-400">
        <span className="size-3 animate-spin rounded-full border-2 border-slate-600 border-t-sky-400" aria-hidden />
        {t("chat.writing")}
      </p>
    </li>
  );
}

export function MessageList({ messages, live, retry, load, about, reply }: {
  messages: readonly ChatMessage[];
  live: LiveReply | null;
  retry: RetryState;
  load?: AttachmentLoader;
  about?: AboutMessage;
  reply?: ReplyView;
}) {
  const { t } = useTranslation();
  if (messages.length === 0 && !live) return <p className="p-2 text-slate-400">{t("chat.empty")}</p>;
  return (
    <ol aria-label={t("chat.region")} className="space-y-4">
      {messages.map((m) =>
        m.role === "user" ? <UserMessage key={m.id} message={m} retry={retry} load={load} about={about} />
          : m.role === "assistant" ? <AgentMessage key={m.id} message={m} reply={reply} />
            : <Notice key={m.id} message={m} />,
      )}
      {live && <LiveMessage live={live} />}
    </ol>
  );
}
