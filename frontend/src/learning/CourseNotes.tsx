// The student's notes (student_notes.md): rendered Markdown, an Edit button opening a Markdown editor, Save.
// The tutor keeps them; the person may change them and their version wins (the tutor reads it with the next
// message). When the chat shows the tutor rewrote them (`updates` grows: the page
// loads them afresh), it says so.
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { MarkdownEditor } from "../agents/MarkdownEditor";
import { Markdown } from "../chat/Markdown";
import { buttonClass, FormError, Saved, useFormErrors } from "../components/Form";
import { ErrorNote, Loading } from "../components/States";
import { useNotes, useSaveNotes } from "./api";

export function CourseNotes({ courseId, updates }: { courseId: number; updates: number }) {
  const { t } = useTranslation();
  const notes = useNotes(courseId);
  const save = useSaveNotes(courseId);
  const [draft, setDraft] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [updated, setUpdated] = useState(false);
  const seen = useRef(updates);
  const { errors, formRef } = useFormErrors(save.error);

  useEffect(() => {
    if (updates <= seen.current) return;
    seen.current = updates;
    setSaved(null);
    setUpdated(true);
  }, [updates]);

  const content = notes.data?.content ?? "";
  function edit() {
    setSaved(null);
    setUpdated(false);
    save.reset();
    setDraft(content);
  }
  function submit(e: React.FormEvent) {
    e.preventDefault();
    if (draft === null) return;
    save.mutate(draft, {
      onSuccess: () => {
        setDraft(null);
        setSaved(t("learning.notes.saved"));
      },
    });
  }

  return (
    <section aria-labelledby={`notes-h-${courseId}`} className="space-y-2">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id={`notes-h-${courseId}`} className="font-semibold">{t("learning.notes.heading")}</h2>
        {draft === null && notes.data && (
          <button type="button" className={buttonClass.secondary} onClick={edit}>{t("learning.notes.edit")}</button>
        )}
      </div>
      <p className="text-xs text-slate-400">{t("learning.notes.about")}</p>
      <p role="status" className="text-sm text-emerald-300">{updated && draft === null ? t("learning.notes.updated") : ""}</p>
      {notes.isPending && <Loading label={t("learning.notes.loading")} />}
      {notes.isError && <ErrorNote error={notes.error} onRetry={() => void notes.refetch()} />}
      {draft !== null ? (
        <form ref={formRef} onSubmit={submit} noValidate className="space-y-2">
          <MarkdownEditor label={t("learning.notes.editor")} name="content" value={draft} onChange={setDraft} rows={14}
            error={errors.fields.content} />
          <FormError message={errors.message} />
          <div className="flex flex-wrap gap-2">
            <button type="submit" className={buttonClass.primary} disabled={save.isPending}>
              {save.isPending ? t("learning.notes.saving") : t("learning.notes.save")}
            </button>
            <button type="button" className={buttonClass.secondary} onClick={() => setDraft(null)}>{t("learning.notes.cancel")}</button>
          </div>
        </form>
      ) : (
        notes.data && (
          <div data-notes className="rounded-lg border border-slate-800 bg-slate-900 p-3">
            {content.trim() ? <Markdown>{content}</Markdown> : <p className="text-sm text-slate-400">{t("learning.notes.empty")}</p>}
          </div>
        )
      )}
      <Saved message={saved} />
    </section>
  );
}
