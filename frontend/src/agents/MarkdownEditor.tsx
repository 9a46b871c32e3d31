// A Markdown editor: a plain textarea to write in, and a rendered preview (react-markdown, which never
// renders raw HTML) one tab away.
import { lazy, Suspense, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { inputClass } from "../components/Form";

const Markdown = lazy(() => import("react-markdown"));

interface Props {
  label: string;
  /** The body field it edits ("identity"), so a server error on it can find it. */
  name?: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  hint?: string;
  rows?: number;
}

export function MarkdownEditor({ label, name, value, onChange, error, hint, rows = 10 }: Props) {
  const id = useId();
  const { t } = useTranslation();
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  const [preview, setPreview] = useState(false);
  const tab = (active: boolean) =>
    `rounded-md px-2.5 py-1 text-xs font-medium focus-visible:outline-2 focus-visible:outline-sky-400 ${
      active ? "bg-slate-700 text-slate-50" : "text-slate-400 hover:bg-slate-800"
    }`;
  return (
    <div className="space-y-1">
      <div className="flex items-center justify-between gap-2">
        <label htmlFor={id} className="block text-sm font-medium">{label}</label>
        <div className="flex gap-1" role="group" aria-label={t("agents.markdown.view", { label })}>
          <button type="button" className={tab(!preview)} aria-pressed={!preview} onClick={() => setPreview(false)}>{t("agents.markdown.write")}</button>
          <button type="button" className={tab(preview)} aria-pressed={preview} onClick={() => setPreview(true)}>{t("agents.markdown.preview")}</button>
        </div>
      </div>
      {preview ? (
        <div className="prose-invert min-h-24 rounded-md border border-slate-700 bg-slate-900 px-3 py-2 text-sm [&_li]:ml-5 [&_ol]:list-decimal [&_ul]:list-disc [&_h1]:text-lg [&_h2]:font-semibold [&_p]:my-2">
          <Suspense fallback={<span className="text-slate-400">{t("agents.markdown.rendering")}</span>}>
            {value.trim() ? <Markdown>{value}</Markdown> : <span className="text-slate-400">{t("agents.markdown.empty")}</span>}
          </Suspense>
        </div>
      ) : (
        <textarea id={id} name={name} rows={rows} value={value} onChange={(e) => onChange(e.target.value)}
          aria-invalid={Boolean(error)} aria-describedby={describedBy}
          className={`${inputClass} font-mono text-sm`} />
      )}
      {hint && <p id={`${id}-hint`} className="text-xs text-slate-400">{hint}</p>}
      {error && <p id={`${id}-error`} className="text-sm text-red-300">{error}</p>}
    </div>
  );
}
