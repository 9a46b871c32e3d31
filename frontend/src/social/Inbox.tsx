// Inbox: comments on the person's posts and their conversations (DMs), in two tabs, unread first (the server's
// order) with a dot. Opening an item marks it read; under it, a reply box, or, for a conversation outside Meta's
// 24-hour window, why no reply can be sent now. A reply Meta refuses says why in plain words (Advanced Access for
// people without a role on the family's Meta app).
import { useId, useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { formErrors } from "../api/formErrors";
import { limits } from "../api/limits";
import { buttonClass, FormError, inputClass, Saved, TextArea } from "../components/Form";
import { Empty, Loading } from "../components/States";
import {
  markRead, replyToComment, replyToConversation, socialKeys, useComments, useConversations,
  type Comment, type Conversation,
} from "./api";
import { dateTime, PlatformName, Problems } from "./parts";
import { ProblemNote, problemOf, SocialError } from "./problems";

type Box = "comments" | "messages";

export function InboxSection({ agentId }: { agentId: number }) {
  const { t } = useTranslation();
  const [box, setBox] = useState<Box>("comments");
  const comments = useComments(agentId);
  const dms = useConversations(agentId);
  const unread = (items: { unread: boolean }[] | undefined) => items?.filter((item) => item.unread).length ?? 0;
  const counts = { comments: unread(comments.data?.comments), messages: unread(dms.data?.conversations) };
  const tabClass = (active: boolean) =>
    `rounded-md px-3 py-1.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-sky-400 ${
      active ? "bg-slate-700 text-slate-50" : "text-slate-300 hover:bg-slate-800"}`;
  return (
    <div className="space-y-3">
      <h2 className="text-lg font-semibold">{t("social.inbox.heading")}</h2>
      <div role="tablist" aria-label={t("social.inbox.boxes")} className="flex gap-1">
        {(["comments", "messages"] as const).map((name) => (
          <button key={name} type="button" role="tab" id={`inbox-tab-${name}`} aria-selected={box === name}
            aria-controls={`inbox-panel-${name}`} className={tabClass(box === name)} onClick={() => setBox(name)}>
            {t(`social.inbox.${name}`)}
            {counts[name] > 0 && <span className="ml-1.5 rounded-full bg-sky-600 px-1.5 text-xs text-white">{counts[name]}<span className="sr-only"> {t("social.inbox.unreadCount")}</span></span>}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`inbox-panel-${box}`} aria-labelledby={`inbox-tab-${box}`}>
        {box === "comments" ? (
          comments.isPending ? <Loading label={t("social.inbox.loading")} />
            : comments.isError ? <SocialError error={comments.error} onRetry={() => void comments.refetch()} />
              : (
                <div className="space-y-3">
                  <Problems problems={comments.data.problems} onRetry={() => void comments.refetch()} />
                  {comments.data.comments.length === 0 ? <Empty>{t("social.inbox.noComments")}</Empty> : (
                    <ul aria-label={t("social.inbox.comments")} className="space-y-2">
                      {comments.data.comments.map((comment) => <CommentItem key={comment.id} agentId={agentId} comment={comment} />)}
                    </ul>
                  )}
                </div>
              )
        ) : (
          dms.isPending ? <Loading label={t("social.inbox.loading")} />
            : dms.isError ? <SocialError error={dms.error} onRetry={() => void dms.refetch()} />
              : (
                <div className="space-y-3">
                  <Problems problems={dms.data.problems} onRetry={() => void dms.refetch()} />
                  {dms.data.conversations.length === 0 ? <Empty>{t("social.inbox.noMessages")}</Empty> : (
                    <ul aria-label={t("social.inbox.messages")} className="space-y-2">
                      {dms.data.conversations.map((conversation) => (
                        <ConversationItem key={conversation.id} agentId={agentId} conversation={conversation} />
                      ))}
                    </ul>
                  )}
                </div>
              )
        )}
      </div>
    </div>
  );
}

/** Opening an unread item marks it read (once), then the lists load afresh. */
function useOpen(agentId: number, readKey: string, unread: boolean) {
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const toggle = () => {
    setOpen((was) => !was);
    if (!open && unread) {
      void markRead([readKey]).then(() => {
        void client.invalidateQueries({ queryKey: socialKeys.comments(agentId) });
        void client.invalidateQueries({ queryKey: socialKeys.dms(agentId) });
      }).catch(() => undefined);
    }
  };
  return { open, toggle };
}

function UnreadDot({ unread }: { unread: boolean }) {
  const { t } = useTranslation();
  if (!unread) return null;
  return <span data-unread className="size-2.5 shrink-0 rounded-full bg-sky-400"><span className="sr-only">{t("social.inbox.unread")}</span></span>;
}

function CommentItem({ agentId, comment }: { agentId: number; comment: Comment }) {
  const { t, i18n } = useTranslation();
  const { open, toggle } = useOpen(agentId, comment.read_key, comment.unread);
  const panel = useId();
  return (
    <li className="rounded-lg border border-slate-800 bg-slate-900/60" data-comment={comment.id}>
      <button type="button" aria-expanded={open} aria-controls={panel} onClick={toggle}
        className="flex w-full items-start gap-2 p-3 text-left hover:bg-slate-800/60 focus-visible:outline-2 focus-visible:outline-sky-400">
        <UnreadDot unread={comment.unread} />
        <span className="min-w-0 flex-1">
          <span className="block text-xs text-slate-400">
            <PlatformName platform={comment.platform} /> · {comment.account_name} · {dateTime(comment.created_at, i18n.language)}
          </span>
          <span className={`block break-words ${comment.unread ? "font-semibold" : ""}`}>{comment.author}: {comment.text}</span>
        </span>
      </button>
      {open && (
        <div id={panel} className="space-y-2 border-t border-slate-800 p-3">
          {comment.post_text && <p className="text-xs text-slate-400">{t("social.inbox.onPost", { text: comment.post_text.slice(0, 120) })}</p>}
          {comment.replies.length > 0 && (
            <ul aria-label={t("social.inbox.replies")} className="space-y-1 border-l-2 border-slate-700 pl-3 text-sm">
              {comment.replies.map((reply) => <li key={reply.id} className="break-words"><strong>{reply.author}</strong>: {reply.text}</li>)}
            </ul>
          )}
          {comment.can_reply
            ? <ReplyBox agentId={agentId} label={t("social.inbox.replyTo", { name: comment.author })}
              send={(text) => replyToComment(comment.id, comment.account_id, text)} />
            : <p className="text-sm text-slate-400">{t("social.inbox.cannotReplyComment")}</p>}
        </div>
      )}
    </li>
  );
}

function ConversationItem({ agentId, conversation }: { agentId: number; conversation: Conversation }) {
  const { i18n, t } = useTranslation();
  const { open, toggle } = useOpen(agentId, conversation.read_key, conversation.unread);
  const panel = useId();
  const last = conversation.messages[conversation.messages.length - 1];
  return (
    <li className="rounded-lg border border-slate-800 bg-slate-900/60" data-conversation={conversation.participant}>
      <button type="button" aria-expanded={open} aria-controls={panel} onClick={toggle}
        className="flex w-full items-start gap-2 p-3 text-left hover:bg-slate-800/60 focus-visible:outline-2 focus-visible:outline-sky-400">
        <UnreadDot unread={conversation.unread} />
        <span className="min-w-0 flex-1">
          <span className="block text-xs text-slate-400">
            <PlatformName platform={conversation.platform} /> · {conversation.account_name} · {dateTime(conversation.updated_at, i18n.language)}
          </span>
          <span className={`block ${conversation.unread ? "font-semibold" : ""}`}>{conversation.participant}</span>
          {last && <span className="block truncate text-sm text-slate-300">{last.from_me ? t("social.inbox.you") : last.author}: {last.text}</span>}
        </span>
      </button>
      {open && (
        <div id={panel} className="space-y-3 border-t border-slate-800 p-3">
          <ol aria-label={t("social.inbox.conversationWith", { name: conversation.participant })} className="space-y-2">
            {conversation.messages.map((message) => (
              <li key={message.id} className={`max-w-[85%] break-words rounded-lg px-3 py-2 text-sm ${
                message.from_me ? "ml-auto bg-sky-900 text-sky-50" : "bg-slate-800"}`}>
                <span className="sr-only">{message.from_me ? t("social.inbox.you") : message.author}: </span>
                {message.text}
                <span className="mt-0.5 block text-[11px] text-slate-300/80">{dateTime(message.created_at, i18n.language)}</span>
              </li>
            ))}
          </ol>
          {conversation.can_reply ? (
            <ReplyBox agentId={agentId} label={t("social.inbox.replyTo", { name: conversation.participant })}
              send={(text) => replyToConversation(conversation.id, conversation.account_id, text)} />
          ) : conversation.reply_problem ? (
            <ProblemNote problem={{ message: conversation.reply_problem.message, action: conversation.reply_problem.action, retry_at: conversation.reply_problem.retry_at ?? null }} />
          ) : (
            <p className="text-sm text-slate-400">{t("social.inbox.cannotReply")}</p>
          )}
        </div>
      )}
    </li>
  );
}

function ReplyBox({ agentId, label, send }: { agentId: number; label: string; send: (text: string) => Promise<unknown> }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [text, setText] = useState("");
  const [sent, setSent] = useState(false);
  const reply = useMutation({
    mutationFn: (value: string) => send(value),
    onSuccess: () => {
      setText("");
      setSent(true);
      void client.invalidateQueries({ queryKey: socialKeys.comments(agentId) });
      void client.invalidateQueries({ queryKey: socialKeys.dms(agentId) });
    },
  });
  const problem = problemOf(reply.error);
  const errors = problem ? { message: null, fields: {} as Record<string, string> } : formErrors(reply.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSent(false);
    if (!text.trim()) return;
    reply.mutate(text.trim());
  };
  return (
    <form onSubmit={submit} className="space-y-2" noValidate>
      <TextArea label={label} name="text" rows={2} value={text} limit={limits.SocialReply.text} error={errors.fields.text}
        className={`${inputClass} text-sm`} onChange={(event) => { setText(event.target.value); setSent(false); }} />
      {problem && <ProblemNote problem={problem} onRetry={() => reply.mutate(text.trim())} />}
      <FormError message={errors.message} />
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" className={buttonClass.primary} disabled={reply.isPending || !text.trim()}>
          {reply.isPending ? t("social.inbox.sending") : t("social.inbox.send")}
        </button>
        <Saved message={sent ? t("social.inbox.sent") : null} />
      </div>
    </form>
  );
}
