// A post's targets (one per account) with their state in plain words, live: while a target is on its way the
// post is asked for again; a failed one shows Meta's reason and what to do, and Retry tries the failed ones again
// (published ones are left alone).
import { useTranslation } from "react-i18next";
import { buttonClass, FormError } from "../components/Form";
import { ErrorNote, Loading } from "../components/States";
import { usePost, useRetryPost, type Post, type Target } from "./api";
import { dateTime, PlatformName } from "./parts";
import { ProblemNote, problemOf } from "./problems";
import { postStatusView, StatusBadge, targetStateView } from "./status";

export function TargetList({ targets }: { targets: Target[] }) {
  const { t } = useTranslation();
  return (
    <ul aria-label={t("social.progress.targets")} className="space-y-2">
      {targets.map((target) => {
        const view = targetStateView(target.state);
        return (
          <li key={target.id} data-target={target.account_name} data-state={target.state}
            className="space-y-1 rounded-md border border-slate-800 bg-slate-950/40 p-2 text-sm">
            <div className="flex flex-wrap items-center gap-2">
              <span className="font-medium"><PlatformName platform={target.platform} />: {target.account_name}</span>
              <StatusBadge view={view} status={target.state} />
            </div>
            {view.hint && target.state !== "failed" && <p className="text-xs text-slate-400">{view.hint}</p>}
            {target.state === "failed" && target.error && (
              <ProblemNote problem={{ message: target.error, action: target.action, retry_at: target.next_attempt_at }} />
            )}
            {target.state === "published" && target.permalink && (
              <a href={target.permalink} target="_blank" rel="noreferrer" className="text-sky-300 underline">
                {t("social.progress.see", { platform: target.platform === "instagram" ? t("social.platform.instagram") : t("social.platform.facebook") })}
              </a>
            )}
          </li>
        );
      })}
    </ul>
  );
}

export function PostSummary({ post, agentId }: { post: Post; agentId: number }) {
  const { t, i18n } = useTranslation();
  const retry = useRetryPost(agentId);
  const failed = post.targets.some((target) => target.state === "failed");
  const view = postStatusView(post.status);
  return (
    <div className="space-y-2" data-post-id={post.id}>
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <span className="font-medium">{post.kind === "story" ? t("social.progress.story") : t("social.progress.post")}</span>
        <StatusBadge view={view} status={post.status} />
        {post.status === "scheduled" && post.scheduled_at && (
          <span className="text-slate-300">{t("social.progress.scheduledFor", { time: dateTime(post.scheduled_at, i18n.language) })}</span>
        )}
      </div>
      <TargetList targets={post.targets} />
      {failed && (
        <button type="button" className={buttonClass.secondary} disabled={retry.isPending}
          onClick={() => retry.mutate(post.id)}>
          {retry.isPending ? t("social.progress.retrying") : t("social.progress.retry")}
        </button>
      )}
      {retry.error && (problemOf(retry.error)
        ? <ProblemNote problem={problemOf(retry.error)!} />
        : <FormError message={retry.error.message} />)}
    </div>
  );
}

/** A post just sent, followed until every target has come to rest. */
export function PostProgress({ postId, agentId }: { postId: number; agentId: number }) {
  const { t } = useTranslation();
  const post = usePost(postId);
  if (post.isPending) return <Loading label={t("social.progress.loading")} />;
  if (post.isError) return <ErrorNote error={post.error} onRetry={() => void post.refetch()} />;
  return (
    <section aria-label={t("social.progress.heading")} aria-live="polite" className="rounded-lg border border-slate-700 bg-slate-900/60 p-3">
      <h3 className="mb-2 font-semibold">{t("social.progress.heading")}</h3>
      <PostSummary post={post.data} agentId={agentId} />
    </section>
  );
}
