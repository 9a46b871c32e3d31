// Files sent with a message, as the chat shows them: a picture inline (its bytes loaded through the kind's
// loader, as stored messages keep only the file's path), any other file by its name.
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import type { StoredAttachment } from "./types";

export type AttachmentLoader = (path: string) => Promise<Blob>;

function InlineImage({ attachment, load }: { attachment: StoredAttachment; load?: AttachmentLoader }) {
  const [url, setUrl] = useState<string | null>(
    attachment.image_base64 ? `data:${attachment.media_type};base64,${attachment.image_base64}` : null,
  );
  useEffect(() => {
    if (attachment.image_base64 || !load) return;
    let objectUrl: string | null = null;
    let live = true;
    load(attachment.path)
      .then((blob) => {
        if (!live) return;
        objectUrl = URL.createObjectURL(blob);
        setUrl(objectUrl);
      })
      .catch(() => undefined); // the name is shown instead
    return () => {
      live = false;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [attachment, load]);
  if (!url) return <FileName name={attachment.name} />;
  return <img src={url} alt={attachment.name} className="max-h-64 max-w-full rounded-md border border-slate-700" />;
}

function FileName({ name }: { name: string }) {
  const { t } = useTranslation();
  return <span className="rounded-md border border-slate-600 px-2 py-0.5 text-xs text-slate-200">{t("chat.attachment", { name })}</span>;
}

export function StoredAttachments({ attachments, load }: { attachments: readonly StoredAttachment[]; load?: AttachmentLoader }) {
  if (attachments.length === 0) return null;
  return (
    <div className="mt-2 flex flex-wrap items-start gap-2">
      {attachments.map((a) =>
        a.media_type.startsWith("image/") ? (
          <InlineImage key={a.path || a.name} attachment={a} load={load} />
        ) : (
          <FileName key={a.path || a.name} name={a.name} />
        ),
      )}
    </div>
  );
}
