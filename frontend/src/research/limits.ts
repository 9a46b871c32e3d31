// What one research message may carry, from the server (GET /api/research/limits: its runtime
// AUTOCODE_MAX_CHAT_MESSAGE_BYTES beside the schema's per-file rules, controlplane/schemas/research.py
// ChatLimits), so the composer refuses a file before uploading it. Asked once per session of the page.
import { useQuery } from "@tanstack/react-query";
import { apiFetch } from "../api/apiFetch";
import type { AttachmentLimits } from "../chat/attachmentRules";

export const LIMITS_PATH = "/api/research/limits";

/** The server's ChatLimits as the chat takes them; null when it says nothing usable. */
export function fromServer(body: unknown): AttachmentLimits | null {
  const b = body as Record<string, unknown> | null;
  if (!b || typeof b !== "object") return null;
  const { max_message_bytes, max_attachments, max_image_bytes, image_types } = b;
  if (typeof max_message_bytes !== "number" || typeof max_attachments !== "number" || typeof max_image_bytes !== "number") {
    return null;
  }
  const types = Array.isArray(image_types) ? image_types.filter((x): x is string => typeof x === "string") : [];
  return { maxMessageBytes: max_message_bytes, maxFiles: max_attachments, maxImageBytes: max_image_bytes, imageTypes: types };
}

async function fetchLimits(): Promise<AttachmentLimits | null> {
  const response = await apiFetch(LIMITS_PATH);
  // Not served: the server's own 413 and 422 then say it, after the upload.
  return response.ok ? fromServer(await response.json()) : null;
}

export function useResearchLimits(): AttachmentLimits | undefined {
  const query = useQuery({ queryKey: ["chat-limits", "research"], queryFn: fetchLimits, staleTime: Infinity, retry: 1 });
  return query.data ?? undefined;
}
