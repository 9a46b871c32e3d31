// The project's CLAUDE.md: Claude Code's standing instructions. AutoCode keeps its marked part in step with the
// goal, architecture and global rules; the rest is the user's to write.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { formErrors } from "../api/formErrors";
import { buttonClass, FormError, Saved, TextArea } from "../components/Form";
import { ErrorNote, Loading } from "../components/States";
import { useClaudeMd, useSaveClaudeMd } from "./claudeMd";

export function ClaudeMdEditor({ projectId }: { projectId: number }) {
  const { t } = useTranslation();
  const file = useClaudeMd(projectId);
  if (file.isPending) return <Loading label={t("projects.claudeMd.loading")} />;
  if (file.isError) return <ErrorNote error={file.error} onRetry={() => void file.refetch()} />;
  return <Editor projectId={projectId} initial={file.data.content} />;
}

function Editor({ projectId, initial }: { projectId: number; initial: string }) {
  const { t } = useTranslation();
  const [value, setValue] = useState(initial);
  const [saved, setSaved] = useState<string | null>(null);
  const save = useSaveClaudeMd(projectId);
  const errors = formErrors(save.error);
  return (
    <form noValidate className="space-y-2"
      onSubmit={(e) => {
        e.preventDefault();
        setSaved(null);
        save.mutate(value, { onSuccess: () => setSaved(t("projects.claudeMd.saved")) });
      }}>
      <TextArea label={t("projects.claudeMd.label")} hint={t("projects.claudeMd.hint")} rows={14} value={value}
        onChange={(e) => setValue(e.target.value)} error={errors.fields.content} />
      <FormError message={errors.message} />
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" className={buttonClass.primary} disabled={save.isPending}>{t("projects.claudeMd.save")}</button>
        <Saved message={saved} />
      </div>
    </form>
  );
}
