// The Manage tab: rename the research, archive or unarchive it, delete it (its folder and its Claude Code
// session go too).
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { limits } from "../api/limits";
import { useDeleteResearch, useUpdateResearch, type Research } from "../api/queries";
import { ConfirmDelete } from "../components/ConfirmDelete";
import { buttonClass, FormError, Saved, TextInput, useFormErrors } from "../components/Form";

export function ResearchManage({ research }: { research: Research }) {
  const { t } = useTranslation();
  const update = useUpdateResearch(research.id);
  const remove = useDeleteResearch();
  const navigate = useNavigate();
  const [name, setName] = useState(research.name);
  const [saved, setSaved] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const { errors, formRef } = useFormErrors(update.error);
  const archived = research.status === "archived";

  function rename(e: FormEvent) {
    e.preventDefault();
    setSaved(null);
    update.mutate({ name: name.trim() }, { onSuccess: () => setSaved(t("research.page.renamed")) });
  }

  return (
    <div className="space-y-4">
      <form ref={formRef} onSubmit={rename} noValidate className="space-y-2">
        <TextInput label={t("research.page.rename")} name="name" value={name} onChange={(e) => setName(e.target.value)}
          error={errors.fields.name} limit={limits.ResearchUpdate.name} />
        <div className="flex flex-wrap items-center gap-3">
          <button type="submit" className={buttonClass.primary} disabled={update.isPending || !name.trim() || name.trim() === research.name}>
            {update.isPending ? t("research.page.saving") : t("research.page.saveName")}
          </button>
          <Saved message={saved} />
        </div>
      </form>
      <FormError message={errors.message} />
      <div className="flex flex-wrap gap-2 border-t border-slate-800 pt-4">
        <button type="button" className={buttonClass.secondary} disabled={update.isPending}
          onClick={() => { setSaved(null); update.mutate({ status: archived ? "active" : "archived" }); }}>
          {archived ? t("research.page.unarchive") : t("research.page.archive")}
        </button>
        {!confirming && (
          <button type="button" className={buttonClass.danger} onClick={() => setConfirming(true)}>{t("research.page.delete")}</button>
        )}
      </div>
      {confirming && (
        <ConfirmDelete name={research.name} consequence={t("research.page.deleteConsequence")}
          pending={remove.isPending} error={remove.error} onCancel={() => setConfirming(false)}
          onConfirm={() => remove.mutate(research.id, { onSuccess: () => void navigate(`/agents/${research.agent_id}`) })} />
      )}
    </div>
  );
}
