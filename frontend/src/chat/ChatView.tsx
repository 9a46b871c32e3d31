// A chat, whatever its kind: the conversation scrolling above the composer. The view takes its column's whole
// height, the conversation scrolls and the composer stays under it, so on a phone the input never covers
// the answer: the Layout's frame shrinks to what the on-screen keyboard leaves, and the view keeps following
// the newest words while the person is at the bottom.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type { AttachmentLoader } from "./Attachments";
import type { AttachmentLimits } from "./attachmentRules";
import { isAnswering } from "./chatState";
import { Composer } from "./Composer";
import { MessageList, type AboutMessage, type ReplyView } from "./MessageList";
import type { OutgoingMessage } from "./types";
import type { LiveChat } from "./useChat";

/** What the kind's page does for the chat (its own routes). */
export interface ChatActions {
  send: (message: OutgoingMessage) => Promise<unknown>;
  stop: () => Promise<unknown>;
  retry: (turn: number) => Promise<unknown>;
  /** A stored attachment's bytes, to show a picture inline. */
  loadAttachment?: AttachmentLoader;
}

interface Props {
  chat: LiveChat;
  actions: ChatActions;
  /** Why no message can be sent now; the composer shows it instead. */
  closed?: string;
  maxLength?: number;
  /** What one message may carry (files beyond it are refused when picked). */
  limits?: AttachmentLimits;
  /** Whether the kind takes files with a message (a course's tutor reads words only). */
  allowFiles?: boolean;
  /** What to say about a user's message besides its words (from its context). */
  about?: AboutMessage;
  /** How a stored reply's words are shown (the kind's own parts in them); Markdown when not given. */
  reply?: ReplyView;
}

const NEAR_BOTTOM_PX = 48;

export function ChatView({ chat, actions, closed, maxLength, limits, allowFiles = true, about, reply }: Props) {
  const { t } = useTranslation();
  const scroller = useRef<HTMLDivElement>(null);
  const follow = useRef(true);
  const [retrying, setRetrying] = useState<number | null>(null);
  const [retryError, setRetryError] = useState<string | null>(null);
  const answering = isAnswering(chat);

  const toBottom = useCallback(() => {
    const el = scroller.current;
    if (el && follow.current) el.scrollTop = el.scrollHeight;
  }, []);

  // New words arrive: stay at the bottom if the person is there.
  useLayoutEffect(toBottom, [chat.messages, chat.live, toBottom]);

  // The view shrinks (the keyboard comes up, the composer grows): keep the newest words in sight.
  useEffect(() => {
    const el = scroller.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(toBottom);
    observer.observe(el);
    return () => observer.disconnect();
  }, [toBottom]);

  async function retry(turn: number) {
    setRetrying(turn);
    setRetryError(null);
    follow.current = true;
    try {
      await actions.retry(turn);
    } catch (err) {
      setRetryError(err instanceof Error ? err.message : String(err));
    } finally {
      setRetrying(null);
    }
  }

  async function send(message: OutgoingMessage) {
    follow.current = true;
    await actions.send(message);
  }

  return (
    <div className="flex min-h-0 flex-1 flex-col gap-2">
      {/* Focusable, so the conversation scrolls from the keyboard too. */}
      <div ref={scroller} tabIndex={0} role="region" aria-label={t("chat.region")}
        className="min-h-24 flex-1 overflow-y-auto rounded-lg p-1 focus-visible:outline-2 focus-visible:outline-sky-400"
        onScroll={(e) => {
          const el = e.currentTarget;
          follow.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
        }}>
        <MessageList messages={chat.messages} live={chat.live} load={actions.loadAttachment} about={about} reply={reply}
          retry={{ onRetry: (turn) => void retry(turn), retrying, error: retryError }} />
      </div>
      {chat.reconnecting && <p role="status" className="text-xs text-amber-200">{t("chat.reconnecting")}</p>}
      {chat.lost && <p role="alert" className="text-xs text-red-300">{t("chat.lost")}</p>}
      <div className="shrink-0">
        <Composer answering={answering} closed={closed} onSend={send} onStop={actions.stop} maxLength={maxLength} limits={limits}
          allowFiles={allowFiles} />
      </div>
    </div>
  );
}
