// "+ New Course" in a subject: its name, the tutor's instructions, and what kind of course it is (a language
// course measures the level A1–C2, any other subject in the tutor's words). The new course's page opens.
import { useId, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { limits } from "../api/limits";
import { buttonClass, FormError, inputClass, TextArea, TextInput, useFormErrors } from "../components/Form";
import { useCreateCourse, type LevelScale, type Subject } from "./api";

const SCALES: readonly LevelScale[] = ["cefr", "free"];

export function NewCourse({ subject, onCancel }: { subject: Subject; onCancel: () => void }) {
  const { t } = useTranslation();
  const id = useId();
  const [name, setName] = useState("");
  const [instructions, setInstructions] = useState("");
  const [scale, setScale] = useState<LevelScale>("cefr");
  const create = useCreateCourse(subject.id);
  const navigate = useNavigate();
  const { errors, formRef } = useFormErrors(create.error, "name");

  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate(
      { name: name.trim(), instructions: instructions.trim(), level_scale: scale },
      { onSuccess: (course) => void navigate(`/course/${course.id}`) },
    );
  }

  return (
    <form ref={formRef} onSubmit={submit} noValidate className="my-3 space-y-3 rounded-lg border border-slate-700 p-3">
      <h3 className="text-sm font-semibold">{t("learning.newCourse.heading", { subject: subject.name })}</h3>
      <TextInput label={t("learning.newCourse.name")} name="name" value={name} autoFocus
        onChange={(e) => setName(e.target.value)} error={errors.fields.name} hint={t("learning.newCourse.nameHint")}
        limit={limits.CourseCreate.name} />
      <TextArea label={t("learning.newCourse.instructions")} name="instructions" value={instructions} rows={4}
        className={`${inputClass} text-sm`} onChange={(e) => setInstructions(e.target.value)}
        error={errors.fields.instructions} hint={t("learning.newCourse.instructionsHint")} limit={limits.CourseCreate.instructions} />
      <fieldset className="space-y-1" aria-describedby={`${id}-hint`}>
        <legend className="mb-1 text-sm font-medium">{t("learning.newCourse.scale")}</legend>
        {SCALES.map((value) => (
          <label key={value} className="flex w-fit items-center gap-2 text-sm">
            <input type="radio" name="level_scale" value={value} checked={scale === value}
              onChange={() => setScale(value)} className="size-4 accent-sky-500" />
            {t(`learning.newCourse.${value}`)}
          </label>
        ))}
        <p id={`${id}-hint`} className="text-xs text-slate-400">{t("learning.newCourse.scaleHint")}</p>
        {errors.fields.level_scale && <p className="text-sm text-red-300">{errors.fields.level_scale}</p>}
      </fieldset>
      <FormError message={errors.message} />
      <div className="flex flex-wrap gap-2">
        <button type="submit" className={buttonClass.primary} disabled={create.isPending || !name.trim()}>
          {create.isPending ? t("learning.newCourse.creating") : t("learning.newCourse.create")}
        </button>
        <button type="button" className={buttonClass.secondary} onClick={onCancel}>{t("learning.newCourse.cancel")}</button>
      </div>
    </form>
  );
}
