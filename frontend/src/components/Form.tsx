// Form building blocks: every control has a visible label; under it, its hint (with the server's rule for
// the field from api/limits, shown before anything is typed) and the server's message for it, both linked
// with aria-describedby so screen readers read them with the field. After a failed submit
// useFocusFirstError takes the person to the first field the server (or the form) marked invalid.
import {
  useEffect,
  useId,
  useRef,
  type InputHTMLAttributes,
  type ReactNode,
  type RefObject,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from "react";
import type { FieldErrors } from "../api/errors";
import { formErrors, type FormErrors } from "../api/formErrors";
import type { FieldLimit } from "../api/limits";

export const inputClass =
  "w-full rounded-md border border-slate-700 bg-slate-900 px-3 py-2 text-slate-100 placeholder:text-slate-400 " +
  "focus:border-sky-400 focus:outline-none focus:ring-2 focus:ring-sky-400/40 aria-[invalid=true]:border-red-500";

export const buttonClass = {
  primary:
    "rounded-md bg-sky-500 px-4 py-2 text-sm font-medium text-slate-950 hover:bg-sky-400 disabled:opacity-50 " +
    "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-300",
  secondary:
    "rounded-md border border-slate-600 px-3 py-2 text-sm hover:bg-slate-800 disabled:opacity-50 " +
    "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-300",
  danger:
    "rounded-md border border-red-700 px-3 py-2 text-sm text-red-200 hover:bg-red-950 disabled:opacity-50 " +
    "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-400",
};

/** What every field component takes besides its control's own attributes. */
export interface FieldTexts {
  label: string;
  /** The server's (or the form's) message for this field: shown under it, after the hint. */
  error?: string;
  /** What the field is for, in plain words. */
  hint?: ReactNode;
  /** The server's limits for this field (`limits.UserCreate.username`): its rule is shown after the hint. */
  limit?: FieldLimit;
}

interface FieldProps extends FieldTexts {
  children: (ids: { id: string; describedBy?: string; invalid: boolean }) => ReactNode;
}

/** The hint a field shows before anything is typed: its own words, then the server's rule. */
export function fieldHint(hint: ReactNode, limit: FieldLimit | undefined): ReactNode {
  const rule = limit?.rule;
  if (!rule) return hint;
  if (!hint) return rule;
  return <>{hint} {rule}</>;
}

/** A labelled control with an optional hint (and rule) and the server's error for it. */
export function Field({ label, error, hint, limit, children }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  // The rule turned error is said once, in the error's place.
  const shown = fieldHint(hint, error && error === limit?.rule ? undefined : limit);
  const describedBy = [shown ? hintId : null, error ? errorId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium">{label}</label>
      {children({ id, describedBy, invalid: Boolean(error) })}
      {shown && <p id={hintId} className="text-xs text-slate-400">{shown}</p>}
      {error && <p id={errorId} className="text-sm text-red-300">{error}</p>}
    </div>
  );
}

type TextInputProps = FieldTexts & InputHTMLAttributes<HTMLInputElement>;

export function TextInput({ label, error, hint, limit, className, ...rest }: TextInputProps) {
  return (
    <Field label={label} error={error} hint={hint} limit={limit}>
      {({ id, describedBy, invalid }) => (
        <input id={id} aria-describedby={describedBy} aria-invalid={invalid} className={className ?? inputClass} {...rest} />
      )}
    </Field>
  );
}

type TextAreaProps = FieldTexts & TextareaHTMLAttributes<HTMLTextAreaElement>;

export function TextArea({ label, error, hint, limit, className, ...rest }: TextAreaProps) {
  return (
    <Field label={label} error={error} hint={hint} limit={limit}>
      {({ id, describedBy, invalid }) => (
        <textarea id={id} aria-describedby={describedBy} aria-invalid={invalid}
          className={className ?? `${inputClass} font-mono text-sm`} {...rest} />
      )}
    </Field>
  );
}

type SelectInputProps = FieldTexts & SelectHTMLAttributes<HTMLSelectElement>;

/** A labelled drop-down; its <option>s are the children. */
export function SelectInput({ label, error, hint, limit, className, children, ...rest }: SelectInputProps) {
  return (
    <Field label={label} error={error} hint={hint} limit={limit}>
      {({ id, describedBy, invalid }) => (
        <select id={id} aria-describedby={describedBy} aria-invalid={invalid} className={className ?? inputClass} {...rest}>
          {children}
        </select>
      )}
    </Field>
  );
}

const FOCUSABLE = "input, select, textarea, button, [tabindex]";

/**
 * The first control of `form`, in DOM order, that is invalid: marked aria-invalid="true", or named (name
 * or id) by a key of `fields` ("username", "steps.0.title").
 */
export function firstInvalidField(form: HTMLElement, fields: FieldErrors): HTMLElement | null {
  const keys = new Set(Object.keys(fields));
  for (const el of Array.from(form.querySelectorAll<HTMLElement>(FOCUSABLE))) {
    const name = el.getAttribute("name");
    if (el.getAttribute("aria-invalid") === "true" || (name && keys.has(name)) || (el.id && keys.has(el.id))) return el;
  }
  return null;
}

/**
 * When a new set of field errors arrives (a new `fields` object with at least one key), focus the first
 * invalid field of the form and scroll it to the middle of the screen, so its message is in view on a
 * long form. `fields` must keep its identity between renders until the errors change: formErrors()
 * returns one object per error.
 */
export function useFocusFirstError(fields: FieldErrors, formRef: RefObject<HTMLElement | null>) {
  useEffect(() => {
    const form = formRef.current;
    if (!form || Object.keys(fields).length === 0) return;
    const target = firstInvalidField(form, fields);
    if (!target) return;
    target.focus({ preventScroll: true });
    // jsdom has no scrollIntoView.
    if (typeof target.scrollIntoView === "function") target.scrollIntoView({ block: "center" });
  }, [fields, formRef]);
}

/**
 * A form's errors from its mutation's `error`, and the ref for its <form> that useFocusFirstError follows.
 * `conflictField`: the field a 409 is about, shown under it (see formErrors).
 */
export function useFormErrors(
  error: unknown,
  conflictField?: string,
): { errors: FormErrors; formRef: RefObject<HTMLFormElement | null> } {
  const errors = formErrors(error, conflictField);
  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstError(errors.fields, formRef);
  return { errors, formRef };
}

/** A form-level message (a conflict, a server error) announced when it appears. */
export function FormError({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return <p role="alert" className="rounded-md border border-red-800 bg-red-950/50 p-2 text-sm text-red-200">{message}</p>;
}

/** A short success note, announced politely. */
export function Saved({ message }: { message: string | null }) {
  return (
    <p role="status" aria-live="polite" className="text-sm text-emerald-300">{message ?? ""}</p>
  );
}
