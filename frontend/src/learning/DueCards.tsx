// The dashboard's review line: how many review cards are due, and in which courses (each a link to it).
// Shown only when something is due, so a family without a learning agent never sees it.
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useDueCards } from "./api";

export function DueCards() {
  const { t } = useTranslation();
  const due = useDueCards();
  const total = due.data?.total ?? 0;
  if (!due.data || total === 0) return null;
  const courses = due.data.courses.filter((c) => c.due > 0);
  return (
    <section aria-labelledby="due-h" className="rounded-xl border border-amber-900/70 bg-slate-900/60 p-4 lg:col-span-2">
      <h2 id="due-h" className="mb-1 font-semibold">{t("learning.dashboard.heading")}</h2>
      <p className="text-sm">{t("learning.dashboard.line", { count: total })}</p>
      <p className="mb-2 text-xs text-slate-400">{t("learning.dashboard.hint")}</p>
      <ul className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
        {courses.map((c) => (
          <li key={c.course_id}>
            <Link to={`/course/${c.course_id}`} className="text-sky-300 hover:underline">
              {t("learning.dashboard.course", { subject: c.subject, course: c.course })}
            </Link>{" "}
            <span className="text-slate-400">({t("learning.dashboard.courseDue", { count: c.due })})</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
