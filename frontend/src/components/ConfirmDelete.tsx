// "Delete X?" asked in place: what will be lost, a "Yes, delete X" button and a way back.
import { useId, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { buttonClass, FormError } from "./Form";

interface Props {
  name: string;
  /** What deleting removes, after "Delete “name”?". */
  consequence: ReactNode;
  pending: boolean;
  error: Error | null;
  onConfirm: () => void;
  onCancel: () => void;
  className?: string;
}

export function ConfirmDelete({ name, consequence, pending, error, onConfirm, onCancel, className = "" }: Props) {
  const id = useId();
  const { t } = useTranslation();
  return (
    <div role="alertdialog" aria-labelledby={id} className={`space-y-2 rounded-lg border border-red-800 p-3 ${className}`}>
      <p id={id}>{t("common.deleteQuestion", { name })} {consequence}</p>
      <div className="flex gap-2">
        <button type="button" className={buttonClass.danger} disabled={pending} onClick={onConfirm}>
          {t("common.yesDelete", { name })}
        </button>
        <button type="button" className={buttonClass.secondary} onClick={onCancel}>{t("common.keepIt")}</button>
      </div>
      <FormError message={error?.message} />
    </div>
  );
}
