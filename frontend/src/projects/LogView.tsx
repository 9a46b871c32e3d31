// The project's structured decision log, live: backlog first, then entries as they happen.
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { LogStream, type LogEntry } from "../realtime/LogStream";

const LEVEL_STYLE: Record<string, string> = {
  info: "text-slate-300",
  action: "text-sky-300",
  error: "text-red-300",
  agent_decision: "text-amber-200",
};
// A level's word in the catalogue (camelCase keys: an underscore would read as an i18next context).
const LEVEL_KEY = { info: "info", action: "action", error: "error", agent_decision: "agentDecision" } as const;
const MAX_SHOWN = 2000;

export function LogView({ projectId }: { projectId: number }) {
  const { t, i18n } = useTranslation();
  // The level's word; an entry's own line is the manager's (English, from the server).
  const levelLabel = (level: string) => {
    const key = Object.hasOwn(LEVEL_KEY, level) ? LEVEL_KEY[level as keyof typeof LEVEL_KEY] : null;
    return key ? t(`projects.log.level.${key}`) : level;
  };
  const [entries, setEntries] = useState<LogEntry[]>([]);
  const bottom = useRef<HTMLDivElement>(null);
  const follow = useRef(true);

  useEffect(() => {
    setEntries([]);
    const stream = new LogStream(projectId);
    stream.onEntry((entry) => setEntries((old) => [...old.slice(-(MAX_SHOWN - 1)), entry]));
    void stream.start();
    return () => stream.stop();
  }, [projectId]);

  useEffect(() => {
    if (follow.current) bottom.current?.scrollIntoView({ block: "end" });
  }, [entries]);

  return (
    // Focusable, so the log scrolls from the keyboard too (axe: scrollable regions need keyboard access).
    <div tabIndex={0} role="region" aria-label={t("projects.log.region")}
      className="max-h-[32rem] min-h-40 overflow-y-auto rounded-lg border border-slate-800 bg-slate-950 p-2 font-mono text-xs focus-visible:outline-2 focus-visible:outline-sky-400"
      onScroll={(e) => {
        const el = e.currentTarget;
        follow.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      }}
    >
      {entries.length === 0 && <p className="p-2 text-slate-400">{t("projects.log.empty")}</p>}
      <ol aria-label={t("projects.log.list")} aria-live="polite" className="space-y-1">
        {entries.map((e) => (
          <li key={e.id} className={`whitespace-pre-wrap break-words ${LEVEL_STYLE[e.level] ?? "text-slate-300"}`}>
            <time className="text-slate-400" dateTime={e.timestamp}>{new Date(e.timestamp).toLocaleTimeString(i18n.language)}</time>{" "}
            <span className="font-semibold">[{levelLabel(e.level)}]</span> {e.message}
          </li>
        ))}
      </ol>
      <div ref={bottom} />
    </div>
  );
}
