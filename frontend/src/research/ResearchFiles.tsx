// The Files tab: what the research wrote in its folder (a link is listed, never followed), a Markdown file
// rendered on the page, any file downloaded, and the whole research exported as one Markdown file.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useResearchFiles, type ResearchFile } from "../api/queries";
import { Markdown } from "../chat/Markdown";
import { formatSize } from "../chat/format";
import { buttonClass, FormError } from "../components/Form";
import { Empty, ErrorNote, Loading } from "../components/States";
import { fetchExport, fetchResearchFile, saveBlob } from "./download";

const MARKDOWN = /\.(md|markdown)$/i;
const baseName = (path: string) => path.slice(path.lastIndexOf("/") + 1);

interface Opened {
  path: string;
  text: string | null;
}

export function ResearchFiles({ researchId }: { researchId: number }) {
  const { t } = useTranslation();
  const files = useResearchFiles(researchId, true);
  const [opened, setOpened] = useState<Opened | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);

  async function run(work: () => Promise<void>) {
    setError(null);
    try {
      await work();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  const open = (path: string) =>
    run(async () => {
      setOpened({ path, text: null });
      const text = await (await fetchResearchFile(researchId, path)).text();
      setOpened({ path, text });
    });
  const download = (path: string) => run(async () => saveBlob(await fetchResearchFile(researchId, path), baseName(path)));
  const exportAll = () =>
    run(async () => {
      setExporting(true);
      try {
        const { name, blob } = await fetchExport(researchId);
        saveBlob(blob, name);
      } finally {
        setExporting(false);
      }
    });

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-2">
        <button type="button" className={buttonClass.primary} disabled={exporting} onClick={() => void exportAll()}>
          {exporting ? t("research.page.exporting") : t("research.page.export")}
        </button>
        <button type="button" className={buttonClass.secondary} onClick={() => void files.refetch()}>{t("research.files.refresh")}</button>
      </div>
      <FormError message={error} />
      {files.isPending && <Loading label={t("research.files.loading")} />}
      {files.isError && <ErrorNote error={files.error} onRetry={() => void files.refetch()} />}
      {files.data?.length === 0 && <Empty>{t("research.files.empty")}</Empty>}
      {files.data && files.data.length > 0 && (
        <ul aria-label={t("research.files.region")} className="divide-y divide-slate-800 rounded-lg border border-slate-800">
          {files.data.map((file) => (
            <FileRow key={file.path} file={file} onOpen={() => void open(file.path)} onDownload={() => void download(file.path)} />
          ))}
        </ul>
      )}
      {opened && (
        <section aria-label={opened.path} className="rounded-lg border border-slate-700 bg-slate-900 p-3">
          <div className="mb-2 flex flex-wrap items-center justify-between gap-2">
            <h3 className="break-all font-semibold">{opened.path}</h3>
            <button type="button" className={buttonClass.secondary} onClick={() => setOpened(null)}>{t("research.files.close")}</button>
          </div>
          {opened.text === null ? <Loading label={t("research.files.reading")} /> : <Markdown>{opened.text}</Markdown>}
        </section>
      )}
    </div>
  );
}

function FileRow({ file, onOpen, onDownload }: { file: ResearchFile; onOpen: () => void; onDownload: () => void }) {
  const { t } = useTranslation();
  const name = file.path;
  return (
    <li className="flex flex-wrap items-center justify-between gap-2 px-3 py-2 text-sm">
      <span className="min-w-0 break-all">
        {name}{" "}
        <span className="text-slate-400">
          {file.type === "file" ? formatSize(file.size) : file.type === "dir" ? t("research.files.folder") : file.type === "symlink" ? t("research.files.link") : ""}
        </span>
      </span>
      {file.type === "file" && (
        <span className="flex gap-2">
          {MARKDOWN.test(name) && (
            <button type="button" className={buttonClass.secondary} aria-label={t("research.files.open", { name })} onClick={onOpen}>
              {t("research.files.openShort")}
            </button>
          )}
          <button type="button" className={buttonClass.secondary} aria-label={t("research.files.download", { name })} onClick={onDownload}>
            {t("research.files.downloadShort")}
          </button>
        </span>
      )}
    </li>
  );
}
