// A failed mutation as a form shows it: messages next to the fields the server named, and one line for
// the rest (a conflict, an unreachable server).
import { i18n } from "../i18n";
import { ApiError, type FieldErrors } from "./errors";

export interface FormErrors {
  message: string | null;
  /**
   * Field key -> message. A key is the field's path in the request body joined with dots: "username",
   * "steps.0.title" (the first step's title), "steps.0" (the first step as a whole). A nested path also
   * fills its top-level key ("steps") when nothing else did, for forms that show one message per field.
   */
  fields: FieldErrors;
}

export const NO_ERRORS: FormErrors = { message: null, fields: {} };

/** The form-level line when fields are wrong: it says what to do, the messages sit under the fields (looked up
when called, in the PWA's current language). */
export function fieldErrorsMessage(): string {
  return i18n.t("common.fixFields");
}

function cleanMessage(msg: string): string {
  // Pydantic prefixes messages from custom validators; the reader needs only the sentence.
  return msg.replace(/^Value error, /, "");
}

/** Field key -> message from FastAPI's 422 body {"detail": [{"loc": ["body", "steps", 0, "title"], "msg": …}]}. */
export function nestedFieldErrors(body: unknown): FieldErrors {
  const detail = (body as { detail?: unknown } | null)?.detail;
  const out: FieldErrors = {};
  if (!Array.isArray(detail)) return out;
  for (const item of detail as { loc?: unknown[]; msg?: unknown }[]) {
    if (!Array.isArray(item.loc) || typeof item.msg !== "string") continue;
    const path = (item.loc[0] === "body" ? item.loc.slice(1) : item.loc).map(String).filter((part) => part !== "");
    if (path.length === 0) continue;
    const message = cleanMessage(item.msg);
    const key = path.join(".");
    if (!(key in out)) out[key] = message;
    if (!(path[0] in out)) out[path[0]] = message;
  }
  return out;
}

// One FormErrors per error object, so a form sees a new `fields` only when a new error arrives (see
// useFocusFirstError in components/Form.tsx).
const cache = new WeakMap<object, FormErrors>();

/**
 * `conflictField`: the field a 409 is about, when a form has one (a username someone already has, a provider
 * one already has a key for): its message goes under that field instead of under the form. A form passes the
 * same field every time.
 */
export function formErrors(error: unknown, conflictField?: string): FormErrors {
  if (!error) return NO_ERRORS;
  if (typeof error !== "object") return { message: String(error), fields: {} };
  const known = cache.get(error);
  if (known) return known;
  const result = build(error, conflictField);
  cache.set(error, result);
  return result;
}

function build(error: object, conflictField: string | undefined): FormErrors {
  if (error instanceof ApiError) {
    const fields = error.status === 422 ? nestedFieldErrors(error.body) : {};
    if (Object.keys(fields).length > 0) return { message: fieldErrorsMessage(), fields };
    if (error.status === 409 && conflictField) return { message: null, fields: { [conflictField]: error.message } };
    return { message: error.message, fields: {} };
  }
  return { message: error instanceof Error ? error.message : "Something went wrong", fields: {} };
}
