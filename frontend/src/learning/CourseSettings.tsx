// The Course tab: the tutor's instructions for this course (followed from the next message on), its name,
// and deleting it (the conversation, the notes and the cards go too).
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { limits } from "../api/limits";
import { buttonClass, FormError, inputClass, Saved, TextArea, useFormErrors } from "../components/Form";
import { useDeleteCourse, useRenameCourse, useUpdateCourse, type Course } from "./api";
import { RenameOrDelete } from "../components/RenameOrDelete";

export function CourseSettings({ course }: { course: Course }) {
  const { t } = useTranslation();
  const update = useUpdateCourse(course.id);
  const rename = useRenameCourse(course.id);
  const remove = useDeleteCourse(course.id);
  const navigate = useNavigate();
  const [instructions, setInstructions] = useState(course.instructions);
  const [saved, setSaved] = useState<string | null>(null);
  const { errors, formRef } = useFormErrors(update.error);

  function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(null);
    update.mutate({ instructions: instructions.trim() }, { onSuccess: () => setSaved(t("learning.settings.saved")) });
  }

  return (
    <div className="space-y-4">
      <form ref={formRef} onSubmit={submit} noValidate className="space-y-2">
        <TextArea label={t("learning.settings.instructions")} name="instructions" value={instructions} rows={6}
          className={`${inputClass} text-sm`} onChange={(e) => setInstructions(e.target.value)}
          error={errors.fields.instructions} hint={t("learning.settings.instructionsHint")} limit={limits.CourseUpdate.instructions} />
        <FormError message={errors.message} />
        <div className="flex flex-wrap items-center gap-3">
          <button type="submit" className={buttonClass.primary} disabled={update.isPending || instructions.trim() === course.instructions}>
            {update.isPending ? t("learning.settings.saving") : t("learning.settings.save")}
          </button>
          <Saved message={saved} />
        </div>
      </form>
      <RenameOrDelete name={course.name} limit={limits.CourseUpdate.name} rename={rename} remove={remove}
        deleteLabel={t("learning.manage.deleteCourse")} consequence={t("learning.manage.courseConsequence")}
        onDeleted={() => void navigate(`/agents/${course.agent_id}`)} />
    </div>
  );
}
