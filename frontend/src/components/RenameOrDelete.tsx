// Renaming or deleting something of the user's in place (a subject, a course, a chat): a name field with Rename,
// and Delete asking first (what is lost, "Yes, delete …", a way back). The caller gives the two mutations and the
// words for its kind.
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import type { UseMutationResult } from "@tanstack/react-query";
import type { FieldLimit } from "../api/limits";
import { ConfirmDelete } from "./ConfirmDelete";
import { buttonClass, FormError, Saved, TextInput, useFormErrors } from "./Form";

interface Props {
  name: string;
  /** The field of the rename's request body the name goes in ("title" for a chat): the server's refusal of it
  is shown under the name. */
  field?: string;
  limit?: FieldLimit;
  rename: UseMutationResult<unknown, Error, string>;
  remove: UseMutationResult<unknown, Error, void>;
  deleteLabel: string;
  consequence: string;
  onDeleted?: () => void;
}

export function RenameOrDelete({ name: current, field = "name", limit, rename, remove, deleteLabel, consequence, onDeleted }: Props) {
  const { t } = useTranslation();
  const [name, setName] = useState(current);
  const [saved, setSaved] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const { errors, formRef } = useFormErrors(rename.error, field);
  const trimmed = name.trim();

  function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(null);
    rename.mutate(trimmed, { onSuccess: () => setSaved(t("common.manage.renamed")) });
  }

  return (
    <div className="space-y-3 rounded-lg border border-slate-700 p-3">
      <form ref={formRef} onSubmit={submit} noValidate className="space-y-2">
        <TextInput label={t("common.manage.name")} name={field} value={name} onChange={(e) => setName(e.target.value)}
          error={errors.fields[field]} limit={limit} />
        <div className="flex flex-wrap items-center gap-2">
          <button type="submit" className={buttonClass.primary} disabled={rename.isPending || !trimmed || trimmed === current}>
            {rename.isPending ? t("common.manage.saving") : t("common.manage.rename")}
          </button>
          {!confirming && (
            <button type="button" className={buttonClass.danger} onClick={() => setConfirming(true)}>{deleteLabel}</button>
          )}
          <Saved message={saved} />
        </div>
        <FormError message={errors.message} />
      </form>
      {confirming && (
        <ConfirmDelete name={current} consequence={consequence} pending={remove.isPending} error={remove.error}
          onCancel={() => setConfirming(false)} onConfirm={() => remove.mutate(undefined, { onSuccess: onDeleted })} />
      )}
    </div>
  );
}
