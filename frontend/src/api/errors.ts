// The errors of API calls, and the server's messages read out of its error bodies.

export class NetworkError extends Error {
  constructor(cause: unknown) {
    super("The AutoCode server is unreachable");
    this.name = "NetworkError";
    this.cause = cause;
  }
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** Validation messages by field name, for showing next to form fields. */
  get fields(): FieldErrors {
    return fieldErrors(this.body);
  }
}

/** Field name -> message, from FastAPI's 422 shape [{"loc": ["body", "name", ...], "msg": "..."}]. */
export type FieldErrors = Record<string, string>;

function cleanMessage(msg: string): string {
  // Pydantic prefixes messages from custom validators; the reader needs only the sentence.
  return msg.replace(/^Value error, /, "");
}

export function fieldErrors(body: unknown): FieldErrors {
  const detail = (body as { detail?: unknown } | null)?.detail;
  const out: FieldErrors = {};
  if (!Array.isArray(detail)) return out;
  for (const item of detail as { loc?: unknown[]; msg?: unknown }[]) {
    if (!Array.isArray(item.loc) || typeof item.msg !== "string") continue;
    const path = item.loc[0] === "body" ? item.loc.slice(1) : item.loc;
    const field = String(path[0] ?? "");
    if (field && !(field in out)) out[field] = cleanMessage(item.msg);
  }
  return out;
}

/** The server's message from a parsed error body: FastAPI's {"detail": "..."} or the first validation msg. */
export function messageFromBody(body: unknown, fallback: string): string {
  const detail = (body as { detail?: unknown } | null)?.detail;
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail) && detail.length > 0) {
    const first = detail[0] as { msg?: string; loc?: unknown[] };
    if (typeof first.msg === "string") {
      const field = Array.isArray(first.loc) && first.loc[0] === "body" ? first.loc[1] : undefined;
      return field !== undefined ? `${String(field)}: ${cleanMessage(first.msg)}` : cleanMessage(first.msg);
    }
  }
  return fallback;
}

/** An ApiError carrying the server's message (see messageFromBody) for a response that is not ok. */
export async function apiErrorOf(res: Response): Promise<ApiError> {
  const fallback = `${res.status} ${res.statusText}`.trim();
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    return new ApiError(res.status, fallback, body);
  }
  return new ApiError(res.status, messageFromBody(body, fallback), body);
}
