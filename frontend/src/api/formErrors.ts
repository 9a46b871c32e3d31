// A failed mutation as a form shows it: messages next to the fields the server named, and one line for
// the rest (a conflict, an unreachable server).
import { ApiError, type FieldErrors } from "./errors";

export interface FormErrors {
  message: string | null;
  fields: FieldErrors;
}

export const NO_ERRORS: FormErrors = { message: null, fields: {} };

export function formErrors(error: unknown): FormErrors {
  if (!error) return NO_ERRORS;
  if (error instanceof ApiError) {
    const fields = error.fields;
    if (error.status === 422 && Object.keys(fields).length > 0) {
      return { message: "Please correct the fields marked below.", fields };
    }
    return { message: error.message, fields: {} };
  }
  return { message: error instanceof Error ? error.message : "Something went wrong", fields: {} };
}
