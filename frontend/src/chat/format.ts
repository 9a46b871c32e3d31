// Sizes and usage in words, for the chat and its kinds' file lists.
import { i18n } from "../i18n";

/** "512 B", "3.4 KB", "1.2 MB". */
export function formatSize(bytes: number): string {
  const number = (n: number) => n.toLocaleString(i18n.language, { maximumFractionDigits: 1 });
  if (bytes < 1024) return i18n.t("chat.size.bytes", { count: bytes });
  if (bytes < 1024 * 1024) return i18n.t("chat.size.kilobytes", { count: number(bytes / 1024) });
  return i18n.t("chat.size.megabytes", { count: number(bytes / (1024 * 1024)) });
}

/** A file's bytes as base64 (what the API takes for an attachment). */
export function readBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(",") + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error("could not read the file"));
    reader.readAsDataURL(file);
  });
}
