// What one research message may carry, from the server (GET /api/research/limits: its runtime
// AUTOCODE_MAX_CHAT_MESSAGE_BYTES beside the schema's per-file rules, controlplane/schemas/research.py
// ChatLimits), so the composer refuses a file before uploading it. Asked once per session of the page.
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../api/client";
import type { AttachmentLimits } from "../chat/attachmentRules";

/** The server's ChatLimits as the chat takes them. */
export function fromServer(limits: Schemas["ChatLimits"]): AttachmentLimits {
  return {
    maxMessageBytes: limits.max_message_bytes,
    maxFiles: limits.max_attachments,
    maxImageBytes: limits.max_image_bytes,
    imageTypes: limits.image_types,
  };
}

export function useResearchLimits(): AttachmentLimits | undefined {
  const query = useQuery({
    queryKey: ["chat-limits", "research"],
    queryFn: async () => fromServer(await unwrap(api.GET("/api/research/limits"))),
    staleTime: Infinity,
    retry: 1,
  });
  // Until it answers (or if it cannot), the server's own 413 and 422 say it, after the upload.
  return query.data;
}
