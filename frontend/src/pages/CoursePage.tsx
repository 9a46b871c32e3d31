// A course (/course/:id): the tutor's chat, the student's notes (beside the chat on a wide screen, a tab of
// their own on a phone), Review mode, and the course's settings. The chat's stream lives here, above the
// tabs, so Review mode sees the tutor's graded feedback stream in and switching tabs loses nothing. Each
// stored reply may have changed the level, the cards or the lists' counts: they load afresh.
import { useEffect, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { useAgents } from "../api/queries";
import { useChat } from "../chat/useChat";
import { Page } from "../components/Page";
import { ErrorNote, Loading } from "../components/States";
import { learningKeys, useCourse, useReview, type CourseDetail } from "../learning/api";
import { CourseChat, courseChatPath } from "../learning/CourseChat";
import { CourseNotes } from "../learning/CourseNotes";
import { CourseReview } from "../learning/CourseReview";
import { CourseSettings } from "../learning/CourseSettings";
import { LevelBadge } from "../learning/LevelBadge";
import { notesUpdates } from "../learning/notesWatch";
import { useWide } from "../learning/useWide";

const TABS = ["chat", "notes", "review", "settings"] as const;
type Tab = (typeof TABS)[number];

export function CoursePage() {
  const { id } = useParams();
  const courseId = Number(id);
  const course = useCourse(courseId);
  if (course.isPending) return <Loading />;
  if (course.isError) return <ErrorNote error={course.error} onRetry={() => void course.refetch()} />;
  return <CourseView key={courseId} course={course.data} />;
}

function CourseView({ course }: { course: CourseDetail }) {
  const { t } = useTranslation();
  const wide = useWide();
  const [chosen, setChosen] = useState<Tab>("chat");
  const chat = useChat(courseChatPath(course.id), course.messages);
  const review = useReview(course.id);
  const agent = useAgents().data?.find((a) => a.id === course.agent_id);
  const updates = notesUpdates(chat.messages, chat.live);

  const client = useQueryClient();
  const replies = chat.messages.filter((m) => m.role === "assistant").length;
  useEffect(() => {
    void client.invalidateQueries({ queryKey: learningKeys.course(course.id) });
    void client.invalidateQueries({ queryKey: learningKeys.review(course.id) });
    void client.invalidateQueries({ queryKey: ["learning", "subjects"] });
    void client.invalidateQueries({ queryKey: learningKeys.due });
  }, [client, replies, course.id]);
  // The tutor rewrote the notes (its tool card says so): wherever they are shown, they load afresh.
  useEffect(() => {
    if (updates > 0) void client.invalidateQueries({ queryKey: learningKeys.notes(course.id) });
  }, [client, updates, course.id]);

  // On a wide screen the notes sit beside the chat: their tab is the chat's.
  const tabs = TABS.filter((name) => !(wide && name === "notes"));
  const tab: Tab = wide && chosen === "notes" ? "chat" : chosen;
  const due = review.data?.due ?? 0;
  const label = (name: Tab) => (name === "review" && due > 0 ? t("learning.page.reviewDue", { count: due }) : t(`learning.page.${name}`));
  const tabClass = (active: boolean) =>
    `rounded-md px-3 py-1.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-sky-400 ${
      active ? "bg-slate-700 text-slate-50" : "text-slate-300 hover:bg-slate-800"
    }`;
  const notes = <CourseNotes courseId={course.id} updates={updates} />;

  return (
    <Page title={course.name} fill>
      <div className="-mt-3 mb-2 flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
        <Link to={`/agents/${course.agent_id}`} className="text-sky-300 underline">
          {agent ? t("learning.page.back", { agent: agent.name }) : t("learning.page.backToAgent")}
        </Link>
        <span className="text-slate-400">{t("learning.page.subject", { subject: course.subject })}</span>
        <LevelBadge scale={course.level_scale} level={course.level} withHint />
      </div>
      <div role="tablist" aria-label={t("learning.page.tabs")} className="mb-2 flex flex-wrap gap-1">
        {tabs.map((name) => (
          <button key={name} type="button" role="tab" id={`course-tab-${name}`} aria-selected={tab === name}
            aria-controls={`course-panel-${name}`} className={tabClass(tab === name)} onClick={() => setChosen(name)}>
            {label(name)}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`course-panel-${tab}`} aria-labelledby={`course-tab-${tab}`}
        className={tab === "chat" ? "flex min-h-0 flex-1 gap-4" : "min-h-0 flex-1 overflow-y-auto"}>
        {tab === "chat" && (
          <>
            <div className="flex min-h-0 min-w-0 flex-1 flex-col"><CourseChat courseId={course.id} chat={chat} /></div>
            {wide && <aside aria-label={t("learning.notes.heading")} className="w-80 shrink-0 overflow-y-auto">{notes}</aside>}
          </>
        )}
        {tab === "notes" && notes}
        {tab === "review" && <CourseReview courseId={course.id} chat={chat} />}
        {tab === "settings" && <CourseSettings course={course} />}
      </div>
    </Page>
  );
}
