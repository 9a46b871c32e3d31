// Feed: the person's own posts on Instagram and Facebook (or one of them), newest first, with their metrics (only
// those Meta gave). An account that could not be read is a problem above the list, with what to do about it.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Empty, Loading } from "../components/States";
import { useFeed, type FeedPost, type PlatformFilter } from "./api";
import { dateTime, Metrics, PlatformFilterControl, PlatformName, Problems, SectionHeading } from "./parts";
import { SocialError } from "./problems";

export function FeedSection({ agentId }: { agentId: number }) {
  const { t } = useTranslation();
  const [platform, setPlatform] = useState<PlatformFilter>("all");
  const feed = useFeed(agentId, platform);
  return (
    <div className="space-y-3">
      <SectionHeading aside={<PlatformFilterControl value={platform} onChange={setPlatform} />}>{t("social.feed.heading")}</SectionHeading>
      {feed.isPending ? <Loading label={t("social.feed.loading")} />
        : feed.isError ? <SocialError error={feed.error} onRetry={() => void feed.refetch()} />
          : (
            <>
              <Problems problems={feed.data.problems} onRetry={() => void feed.refetch()} />
              {feed.data.posts.length === 0 ? <Empty>{t("social.feed.empty")}</Empty> : (
                <ul aria-label={t("social.feed.list")} className="space-y-3">
                  {feed.data.posts.map((post) => <FeedItem key={`${post.account_id}-${post.id}`} post={post} />)}
                </ul>
              )}
            </>
          )}
    </div>
  );
}

export function Thumbnail({ url, label }: { url: string | null; label: string }) {
  if (!url) return null;
  return (
    <img src={url} alt={label} loading="lazy" referrerPolicy="no-referrer"
      className="size-20 shrink-0 rounded-md bg-slate-800 object-cover text-[0px] sm:size-24" />
  );
}

function FeedItem({ post }: { post: FeedPost }) {
  const { t, i18n } = useTranslation();
  return (
    <li className="flex gap-3 rounded-lg border border-slate-800 bg-slate-900/60 p-3" data-platform={post.platform}>
      <Thumbnail url={post.thumbnail_url ?? post.media_url} label={t("social.feed.picture")} />
      <div className="min-w-0 flex-1 space-y-1">
        <p className="text-xs text-slate-400">
          <PlatformName platform={post.platform} /> · {post.account_name} · {dateTime(post.created_at, i18n.language)}
        </p>
        {post.text && <p className="line-clamp-3 whitespace-pre-wrap break-words">{post.text}</p>}
        <Metrics metrics={post.metrics} />
        {post.permalink && (
          <a href={post.permalink} target="_blank" rel="noreferrer" className="text-sm text-sky-300 underline">
            {t("social.feed.open", { platform: post.platform === "instagram" ? t("social.platform.instagram") : t("social.platform.facebook") })}
          </a>
        )}
      </div>
    </li>
  );
}
