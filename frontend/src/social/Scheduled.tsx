// Scheduled: the posts waiting for their time, by day, each with Cancel; under them the recent posts with each
// target's state (and Retry for failed ones).
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ConfirmDelete } from "../components/ConfirmDelete";
import { buttonClass } from "../components/Form";
import { Empty, ErrorNote, Loading } from "../components/States";
import { useDeletePost, usePosts, useScheduled, type Post } from "./api";
import { PlatformName, SectionHeading } from "./parts";
import { PostSummary } from "./PostProgress";
import { groupByDay } from "./schedule";

function excerpt(post: Post, fallback: string): string {
  const text = post.text.trim().split("\n")[0] ?? "";
  return text ? (text.length > 80 ? `${text.slice(0, 79)}…` : text) : fallback;
}

export function ScheduledSection({ agentId }: { agentId: number }) {
  const { t, i18n } = useTranslation();
  const scheduled = useScheduled(agentId);
  const recent = usePosts(agentId);
  const remove = useDeletePost(agentId);
  const [cancelling, setCancelling] = useState<number | null>(null);
  const time = (iso: string) => new Intl.DateTimeFormat(i18n.language, { hour: "2-digit", minute: "2-digit" }).format(new Date(iso));

  return (
    <div className="space-y-6">
      <section aria-labelledby="social-scheduled-h" className="space-y-3">
        <SectionHeading><span id="social-scheduled-h">{t("social.scheduled.heading")}</span></SectionHeading>
        {scheduled.isPending ? <Loading /> : scheduled.isError ? <ErrorNote error={scheduled.error} onRetry={() => void scheduled.refetch()} />
          : scheduled.data.length === 0 ? <Empty>{t("social.scheduled.empty")}</Empty> : (
            <ol className="space-y-4" aria-label={t("social.scheduled.calendar")}>
              {groupByDay(scheduled.data).map((day) => (
                <li key={day.key}>
                  <h3 className="mb-2 text-sm font-semibold text-slate-300">{day.label}</h3>
                  <ul className="space-y-2">
                    {day.posts.map((post) => (
                      <li key={post.id} className="space-y-2 rounded-lg border border-slate-800 bg-slate-900/60 p-3 text-sm" data-post-id={post.id}>
                        <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
                          {post.scheduled_at && <span className="font-semibold tabular-nums">{time(post.scheduled_at)}</span>}
                          <span className="min-w-0 flex-1 break-words">{excerpt(post, t("social.scheduled.noText"))}</span>
                        </div>
                        <p className="text-xs text-slate-400">
                          {post.kind === "story" ? t("social.progress.story") : t("social.progress.post")} ·{" "}
                          {post.targets.map((target, index) => (
                            <span key={target.id}>{index > 0 && ", "}<PlatformName platform={target.platform} />: {target.account_name}</span>
                          ))}
                        </p>
                        {cancelling === post.id ? (
                          <ConfirmDelete name={excerpt(post, t("social.scheduled.noText"))} consequence={t("social.scheduled.cancelConsequence")}
                            pending={remove.isPending} error={remove.error} onCancel={() => setCancelling(null)}
                            onConfirm={() => remove.mutate(post.id, { onSuccess: () => setCancelling(null) })} />
                        ) : (
                          <button type="button" className={buttonClass.danger} onClick={() => { remove.reset(); setCancelling(post.id); }}>
                            {t("social.scheduled.cancel")}
                          </button>
                        )}
                      </li>
                    ))}
                  </ul>
                </li>
              ))}
            </ol>
          )}
      </section>
      <section aria-labelledby="social-recent-h" className="space-y-3">
        <SectionHeading><span id="social-recent-h">{t("social.scheduled.recent")}</span></SectionHeading>
        {recent.isPending ? <Loading /> : recent.isError ? <ErrorNote error={recent.error} onRetry={() => void recent.refetch()} />
          : (() => {
            const done = recent.data.filter((post) => post.status !== "scheduled").slice(0, 20);
            if (done.length === 0) return <Empty>{t("social.scheduled.noRecent")}</Empty>;
            return (
              <ul className="space-y-3" aria-label={t("social.scheduled.recent")}>
                {done.map((post) => (
                  <li key={post.id} className="space-y-2 rounded-lg border border-slate-800 bg-slate-900/60 p-3 text-sm">
                    <p className="break-words">{excerpt(post, t("social.scheduled.noText"))}</p>
                    <PostSummary post={post} agentId={agentId} />
                  </li>
                ))}
              </ul>
            );
          })()}
      </section>
    </div>
  );
}
