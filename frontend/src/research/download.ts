// A research's files and export as bytes: fetched with the person's token (a plain link would carry none),
// then saved under the name the server gives.
import { apiFetch } from "../api/apiFetch";
import { apiErrorOf } from "../api/errors";

/** One file of the research's folder ("notes/report.md"), each folder name encoded on its own. */
export async function fetchResearchFile(researchId: number, path: string): Promise<Blob> {
  const encoded = path.split("/").map(encodeURIComponent).join("/");
  const res = await apiFetch(`/api/research/${researchId}/files/${encoded}`);
  if (!res.ok) throw await apiErrorOf(res);
  return res.blob();
}

/** The file name a Content-Disposition header gives (RFC 5987 filename*= first). */
export function dispositionName(header: string | null, fallback: string): string {
  const star = header?.match(/filename\*=UTF-8''([^;]+)/i);
  if (star) return decodeURIComponent(star[1]);
  const plain = header?.match(/filename="?([^";]+)"?/i);
  return plain ? plain[1] : fallback;
}

/** The whole research as one Markdown file: its name and bytes. */
export async function fetchExport(researchId: number): Promise<{ name: string; blob: Blob }> {
  const res = await apiFetch(`/api/research/${researchId}/export`);
  if (!res.ok) throw await apiErrorOf(res);
  return { name: dispositionName(res.headers.get("Content-Disposition"), `research-${researchId}.md`), blob: await res.blob() };
}

/** Hand the bytes to the browser as a download. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
