// What one message may carry, checked when a file is picked, before it is read or uploaded: the server gives the
// numbers (its message size is a runtime setting; the research kind serves them), this module says a refusal
// in plain words naming the file and the limit in MB.
import { i18n } from "../i18n";
import { formatSize } from "./format";

export interface AttachmentLimits {
  /** The whole request: the text and the files as base64. */
  maxMessageBytes: number;
  maxFiles: number;
  /** One picture the model sees (a type in imageTypes). */
  maxImageBytes: number;
  imageTypes: readonly string[];
}

/** What a file is before it is read: a File, or what the composer keeps of one. */
export interface PickedFile {
  name: string;
  size: number;
  type: string;
}

const MB = 1024 * 1024;
// The JSON around the files and the text: field names, quotes, a file's name and type.
const PER_FILE_OVERHEAD = 512;
const MESSAGE_OVERHEAD = 4096;

/** A file's share of the request: base64 is 4 characters for every 3 bytes. */
export function requestBytes(size: number): number {
  return Math.ceil(size / 3) * 4 + PER_FILE_OVERHEAD;
}

/** The text's share of the request (JSON-escaped, at worst 2 bytes a UTF-8 byte for quotes and backslashes). */
function textBytes(text: string): number {
  return new TextEncoder().encode(text).length * 2;
}

/** The files one message can carry together, in bytes on disk, beside this text. */
export function filesBudget(limits: AttachmentLimits, text: string): number {
  return Math.max(0, Math.floor(((limits.maxMessageBytes - MESSAGE_OVERHEAD - textBytes(text)) * 3) / 4));
}

/** "30 MB", "5 MB", "0.5 MB": a limit as people say it. */
export function megabytes(bytes: number): string {
  return i18n.t("chat.size.megabytes", { count: (bytes / MB).toLocaleString(i18n.language, { maximumFractionDigits: 1 }) });
}

/** The request's size with these files and this text. */
function used(files: readonly { size: number }[], text: string): number {
  return MESSAGE_OVERHEAD + textBytes(text) + files.reduce((sum, f) => sum + requestBytes(f.size), 0);
}

/**
 * Why `file` cannot join the files already attached (null when it can). `attached`: the files kept so far;
 * `text`: what is typed now (it shares the message's size).
 */
export function refusal(file: PickedFile, attached: readonly { size: number }[], text: string, limits: AttachmentLimits): string | null {
  const t = i18n.t.bind(i18n);
  const name = file.name;
  if (attached.length >= limits.maxFiles) return t("chat.refused.tooMany", { name, count: limits.maxFiles });
  if (limits.imageTypes.includes(file.type) && file.size > limits.maxImageBytes) {
    return t("chat.refused.picture", { name, size: formatSize(file.size), limit: megabytes(limits.maxImageBytes) });
  }
  if (used([...attached, file], text) <= limits.maxMessageBytes) return null;
  const words = { name, size: formatSize(file.size), limit: megabytes(filesBudget(limits, text)) };
  return attached.length === 0 ? t("chat.refused.tooLarge", words) : t("chat.refused.noRoom", words);
}

/** Why the message as it stands is too large to send (the text grew after the files were picked), or null. */
export function messageRefusal(attached: readonly { size: number }[], text: string, limits: AttachmentLimits): string | null {
  if (used(attached, text) <= limits.maxMessageBytes) return null;
  return i18n.t("chat.refused.message", { limit: megabytes(filesBudget(limits, text)) });
}
