// The learning agent's page body: its subjects, each opening onto its courses (level and cards due), with
// "+ New Subject", "+ New Course" in a subject, and renaming or deleting either in place.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { Agent } from "../api/queries";
import { limits } from "../api/limits";
import { buttonClass } from "../components/Form";
import { Empty, ErrorNote, Loading } from "../components/States";
import { useDeleteCourse, useDeleteSubject, useRenameSubject, useSubjects, useRenameCourse, type Course, type Subject } from "./api";
import { DueBadge, LevelBadge } from "./LevelBadge";
import { NewCourse } from "./NewCourse";
import { NewSubject } from "./NewSubject";
import { RenameOrDelete } from "../components/RenameOrDelete";

const toggleClass =
  "rounded-md px-2 py-1 text-sm text-slate-300 hover:bg-slate-800 focus-visible:outline-2 focus-visible:outline-sky-400";

export function LearningPanel({ agent }: { agent: Agent }) {
  const { t } = useTranslation();
  const subjects = useSubjects(agent.id);
  const [creating, setCreating] = useState(false);
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  const toggle = (id: number) =>
    setOpen((old) => {
      const next = new Set(old);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  return (
    <section aria-labelledby="learning-h" className="rounded-xl border border-slate-800 bg-slate-900/60 p-4">
      <div className="mb-1 flex flex-wrap items-center justify-between gap-2">
        <h2 id="learning-h" className="font-semibold">{t("learning.panel.heading")}</h2>
        {!creating && (
          <button type="button" className={buttonClass.primary} onClick={() => setCreating(true)}>{t("learning.panel.newSubject")}</button>
        )}
      </div>
      <p className="mb-3 text-sm text-slate-400">{t("learning.panel.about")}</p>
      {creating && (
        <NewSubject agentId={agent.id} onCancel={() => setCreating(false)}
          onCreated={(subject) => {
            setCreating(false);
            setOpen((old) => new Set(old).add(subject.id));
          }} />
      )}
      {subjects.isPending && <Loading label={t("learning.panel.loading")} />}
      {subjects.isError && <ErrorNote error={subjects.error} onRetry={() => void subjects.refetch()} />}
      {subjects.data?.length === 0 && !creating && <Empty>{t("learning.panel.empty")}</Empty>}
      {subjects.data && subjects.data.length > 0 && (
        <ul aria-label={t("learning.panel.list")} className="divide-y divide-slate-800">
          {subjects.data.map((s) => <SubjectItem key={s.id} subject={s} open={open.has(s.id)} onToggle={() => toggle(s.id)} />)}
        </ul>
      )}
    </section>
  );
}

function SubjectItem({ subject, open, onToggle }: { subject: Subject; open: boolean; onToggle: () => void }) {
  const { t } = useTranslation();
  const [adding, setAdding] = useState(false);
  const [managing, setManaging] = useState(false);
  const rename = useRenameSubject(subject.id);
  const remove = useDeleteSubject(subject.id);
  const listId = `subject-${subject.id}-courses`;
  return (
    <li className="py-2">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <button type="button" aria-expanded={open} aria-controls={listId} onClick={onToggle}
          className="flex min-w-0 items-center gap-2 rounded-md py-1 pr-2 text-left font-medium hover:underline focus-visible:outline-2 focus-visible:outline-sky-400">
          <span aria-hidden className={`inline-block text-slate-400 transition-transform ${open ? "rotate-90" : ""}`}>▸</span>
          <span className="break-words">{subject.name}</span>
        </button>
        <span className="flex flex-wrap items-center gap-3 text-sm text-slate-400">
          {t("learning.panel.courseCount", { count: subject.courses.length })}
          <DueBadge due={subject.due} />
          <button type="button" className={toggleClass} aria-expanded={managing}
            aria-label={managing ? t("learning.panel.close") : t("learning.panel.manageSubject", { name: subject.name })}
            onClick={() => setManaging((m) => !m)}>
            {managing ? t("learning.panel.close") : t("learning.panel.manage")}
          </button>
        </span>
      </div>
      {managing && (
        <div className="mt-2">
          <RenameOrDelete name={subject.name} limit={limits.SubjectUpdate.name} rename={rename} remove={remove}
            deleteLabel={t("learning.manage.deleteSubject")} consequence={t("learning.manage.subjectConsequence")}
            onDeleted={() => setManaging(false)} />
        </div>
      )}
      {open && (
        <div id={listId} className="mt-1 pl-6">
          {subject.courses.length === 0 && !adding && <p className="py-1 text-sm text-slate-400">{t("learning.panel.noCourses")}</p>}
          {subject.courses.length > 0 && (
            <ul aria-label={t("learning.panel.courses", { subject: subject.name })} className="divide-y divide-slate-800/60">
              {subject.courses.map((c) => <CourseRow key={c.id} course={c} />)}
            </ul>
          )}
          {adding ? (
            <NewCourse subject={subject} onCancel={() => setAdding(false)} />
          ) : (
            <button type="button" className={`${buttonClass.secondary} mt-2`} onClick={() => setAdding(true)}>
              {t("learning.panel.newCourse")}
            </button>
          )}
        </div>
      )}
    </li>
  );
}

function CourseRow({ course }: { course: Course }) {
  const { t } = useTranslation();
  const [managing, setManaging] = useState(false);
  const rename = useRenameCourse(course.id);
  const remove = useDeleteCourse(course.id);
  return (
    <li className="py-2">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <Link to={`/course/${course.id}`} className="min-w-0 break-words font-medium text-sky-200 hover:underline">{course.name}</Link>
        <span className="flex flex-wrap items-center gap-3">
          <LevelBadge scale={course.level_scale} level={course.level} />
          <DueBadge due={course.due} />
          <button type="button" className={toggleClass} aria-expanded={managing}
            aria-label={managing ? t("learning.panel.close") : t("learning.panel.manageCourse", { name: course.name })}
            onClick={() => setManaging((m) => !m)}>
            {managing ? t("learning.panel.close") : t("learning.panel.manage")}
          </button>
        </span>
      </div>
      {managing && (
        <div className="mt-2">
          <RenameOrDelete name={course.name} limit={limits.CourseUpdate.name} rename={rename} remove={remove}
            deleteLabel={t("learning.manage.deleteCourse")} consequence={t("learning.manage.courseConsequence")}
            onDeleted={() => setManaging(false)} />
        </div>
      )}
    </li>
  );
}
