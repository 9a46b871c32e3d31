// Where the person writes: the message, files to attach (read as base64 for the API), Send, and Stop while a
// reply is being written. The text is kept until the message is accepted. A file the message cannot carry
// (attachmentRules: the server's limits) is refused when it is picked, before it is read, in words under the
// composer; nothing typed or attached before is lost.
import { useId, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../api/errors";
import { buttonClass, FormError, inputClass } from "../components/Form";
import { i18n } from "../i18n";
import { messageRefusal, refusal, type AttachmentLimits } from "./attachmentRules";
import { formatSize, readBase64 } from "./format";
import type { OutgoingAttachment, OutgoingMessage } from "./types";

interface Props {
  answering: boolean;
  /** Why nothing can be sent now (an archived research...); the composer is then replaced by this. */
  closed?: string;
  onSend: (message: OutgoingMessage) => Promise<unknown>;
  onStop: () => Promise<unknown>;
  /** The largest message the server takes, in characters. */
  maxLength?: number;
  /** What one message may carry; unknown (still loading), files are left to the server to refuse. */
  limits?: AttachmentLimits;
  /** Whether files can be attached at all (a kind that reads words only has no Attach button). */
  allowFiles?: boolean;
}

const CONTENT_TOO_LARGE = 413;

function errorText(err: unknown): string {
  if (err instanceof ApiError && err.status === CONTENT_TOO_LARGE) return i18n.t("chat.refused.byServer");
  return err instanceof Error ? err.message : String(err);
}

export function Composer({ answering, closed, onSend, onStop, maxLength, limits, allowFiles = true }: Props) {
  const { t } = useTranslation();
  const id = useId();
  const [text, setText] = useState("");
  const [files, setFiles] = useState<OutgoingAttachment[]>([]);
  const [sending, setSending] = useState(false);
  const [stopping, setStopping] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [refused, setRefused] = useState<string[]>([]);
  const picker = useRef<HTMLInputElement>(null);

  if (closed) return <p className="rounded-lg border border-slate-700 p-3 text-sm text-slate-300">{closed}</p>;

  const canSend = !sending && !answering && (text.trim() !== "" || files.length > 0);

  async function send(e?: FormEvent) {
    e?.preventDefault();
    if (!canSend) return;
    const tooLarge = limits ? messageRefusal(files, text.trim(), limits) : null;
    setRefused(tooLarge ? [tooLarge] : []);
    if (tooLarge) return;
    setSending(true);
    setError(null);
    try {
      await onSend({ text: text.trim(), attachments: files });
      setText("");
      setFiles([]);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setSending(false);
    }
  }

  async function stop() {
    setStopping(true);
    setError(null);
    try {
      await onStop();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setStopping(false);
    }
  }

  async function pick(list: FileList | null) {
    if (!list) return;
    // Each file is judged beside those kept so far, before a byte of it is read.
    const accepted: File[] = [];
    const refusals: string[] = [];
    for (const file of list) {
      const why = limits ? refusal(file, [...files, ...accepted], text, limits) : null;
      if (why) refusals.push(why);
      else accepted.push(file);
    }
    setRefused(refusals);
    try {
      const read = await Promise.all(
        accepted.map(async (file) => ({
          name: file.name,
          media_type: file.type || "application/octet-stream",
          content_base64: await readBase64(file),
          size: file.size,
        })),
      );
      setFiles((old) => [...old, ...read]);
    } catch (err) {
      setError(errorText(err));
    }
    if (picker.current) picker.current.value = "";
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) void send();
  }

  return (
    <form onSubmit={(e) => void send(e)} noValidate className="space-y-2 border-t border-slate-800 pt-2">
      {files.length > 0 && (
        <ul aria-label={t("chat.attached")} className="flex flex-wrap gap-2">
          {files.map((file, index) => (
            <li key={`${file.name}-${index}`} className="flex items-center gap-1 rounded-md border border-slate-600 py-0.5 pl-2 pr-0.5 text-xs">
              <span className="max-w-48 truncate">{file.name}</span>
              <span className="text-slate-400">{formatSize(file.size)}</span>
              <button type="button" aria-label={t("chat.remove", { name: file.name })}
                className="rounded px-1.5 py-0.5 hover:bg-slate-800 focus-visible:outline-2 focus-visible:outline-sky-400"
                onClick={() => {
                  setFiles((old) => old.filter((_, i) => i !== index));
                  setRefused([]);
                }}>×</button>
            </li>
          ))}
        </ul>
      )}
      <label htmlFor={id} className="sr-only">{t("chat.input")}</label>
      <textarea id={id} name="text" rows={2} value={text} maxLength={maxLength} placeholder={t("chat.input")}
        aria-describedby={`${id}-hint`} onChange={(e) => setText(e.target.value)} onKeyDown={onKeyDown}
        className={`${inputClass} max-h-40 resize-none text-sm`} />
      <p id={`${id}-hint`} className="sr-only">{t("chat.inputHint")} {allowFiles ? t("chat.attachHint") : ""}</p>
      <FormError message={error} />
      <div className="flex flex-wrap items-center justify-between gap-2">
        {allowFiles ? (
          <>
            <input ref={picker} type="file" multiple hidden tabIndex={-1} aria-hidden
              onChange={(e) => void pick(e.target.files)} data-testid="chat-file-input" />
            <button type="button" className={buttonClass.secondary} title={t("chat.attachHint")}
              aria-describedby={`${id}-refused`} onClick={() => picker.current?.click()}>
              {t("chat.attach")}
            </button>
          </>
        ) : <span />}
        <div className="flex gap-2">
          {answering && (
            <button type="button" className={buttonClass.danger} disabled={stopping} onClick={() => void stop()}>
              {stopping ? t("chat.stopping") : t("chat.stop")}
            </button>
          )}
          <button type="submit" className={buttonClass.primary} disabled={!canSend}>
            {sending ? t("chat.sending") : t("chat.send")}
          </button>
        </div>
      </div>
      <div id={`${id}-refused`} role="alert" data-refused className="space-y-1 text-sm text-red-300 empty:hidden">
        {refused.map((why) => <p key={why}>{why}</p>)}
      </div>
    </form>
  );
}
