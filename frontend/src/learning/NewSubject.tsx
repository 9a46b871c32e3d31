// "+ New Subject": its name; the new subject opens, ready for its first course.
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { buttonClass, FormError, TextInput, useFormErrors } from "../components/Form";
import { limits } from "../api/limits";
import { useCreateSubject, type Subject } from "./api";

export function NewSubject({ agentId, onCreated, onCancel }: {
  agentId: number;
  onCreated: (subject: Subject) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const [name, setName] = useState("");
  const create = useCreateSubject(agentId);
  const { errors, formRef } = useFormErrors(create.error, "name");

  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate(name.trim(), { onSuccess: onCreated });
  }

  return (
    <form ref={formRef} onSubmit={submit} noValidate className="mb-4 space-y-3 rounded-lg border border-slate-700 p-3">
      <h3 className="text-sm font-semibold">{t("learning.newSubject.heading")}</h3>
      <TextInput label={t("learning.newSubject.name")} name="name" value={name} autoFocus
        onChange={(e) => setName(e.target.value)} error={errors.fields.name} hint={t("learning.newSubject.nameHint")}
        limit={limits.SubjectCreate.name} />
      <FormError message={errors.message} />
      <div className="flex flex-wrap gap-2">
        <button type="submit" className={buttonClass.primary} disabled={create.isPending || !name.trim()}>
          {create.isPending ? t("learning.newSubject.creating") : t("learning.newSubject.create")}
        </button>
        <button type="button" className={buttonClass.secondary} onClick={onCancel}>{t("learning.newSubject.cancel")}</button>
      </div>
    </form>
  );
}
