// Stories: the stories up now (the last 24 hours) on either platform, with the metrics Meta gives for them.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Empty, Loading } from "../components/States";
import { useStories, type PlatformFilter } from "./api";
import { Thumbnail } from "./Feed";
import { dateTime, Metrics, PlatformFilterControl, PlatformName, Problems, SectionHeading } from "./parts";
import { SocialError } from "./problems";

export function StoriesSection({ agentId }: { agentId: number }) {
  const { t, i18n } = useTranslation();
  const [platform, setPlatform] = useState<PlatformFilter>("all");
  const stories = useStories(agentId, platform);
  return (
    <div className="space-y-3">
      <SectionHeading aside={<PlatformFilterControl value={platform} onChange={setPlatform} />}>{t("social.stories.heading")}</SectionHeading>
      <p className="text-sm text-slate-400">{t("social.stories.about")}</p>
      {stories.isPending ? <Loading label={t("social.stories.loading")} />
        : stories.isError ? <SocialError error={stories.error} onRetry={() => void stories.refetch()} />
          : (
            <>
              <Problems problems={stories.data.problems} onRetry={() => void stories.refetch()} />
              {stories.data.stories.length === 0 ? <Empty>{t("social.stories.empty")}</Empty> : (
                <ul aria-label={t("social.stories.list")} className="grid gap-3 sm:grid-cols-2">
                  {stories.data.stories.map((story) => (
                    <li key={`${story.account_id}-${story.id}`} className="flex gap-3 rounded-lg border border-slate-800 bg-slate-900/60 p-3">
                      <Thumbnail url={story.thumbnail_url ?? story.media_url} label={t("social.stories.picture")} />
                      <div className="min-w-0 flex-1 space-y-1">
                        <p className="text-xs text-slate-400">
                          <PlatformName platform={story.platform} /> · {story.account_name} · {dateTime(story.created_at, i18n.language)}
                        </p>
                        <Metrics metrics={story.metrics} />
                        {story.permalink && (
                          <a href={story.permalink} target="_blank" rel="noreferrer" className="text-sm text-sky-300 underline">{t("social.stories.open")}</a>
                        )}
                      </div>
                    </li>
                  ))}
                </ul>
              )}
            </>
          )}
    </div>
  );
}
