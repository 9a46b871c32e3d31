// The project's structured decision log, live: backlog first, then entries as they happen.
import { useEffect, useRef, useState } from "react";
import { LogStream, type LogEntry } from "../realtime/LogStream";

const LEVEL_STYLE: Record<string, string> = {
  info: "text-slate-300",
  action: "text-sky-300",
  error: "text-red-300",
  agent_decision: "text-amber-200",
};
const LEVEL_LABEL: Record<string, string> = { info: "info", action: "sent", error: "problem", agent_decision: "decision" };
const MAX_SHOWN = 2000;

export function LogView({ projectId }: { projectId: number }) {
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
    <div tabIndex={0} role="region" aria-label="Log entries"
      className="max-h-[32rem] min-h-40 overflow-y-auto rounded-lg border border-slate-800 bg-slate-950 p-2 font-mono text-xs focus-visible:outline-2 focus-visible:outline-sky-400"
      onScroll={(e) => {
        const el = e.currentTarget;
        follow.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      }}
    >
      {entries.length === 0 && <p className="p-2 text-slate-400">No log entries yet.</p>}
      <ol aria-label="Project log" aria-live="polite" className="space-y-1">
        {entries.map((e) => (
          <li key={e.id} className={`whitespace-pre-wrap break-words ${LEVEL_STYLE[e.level] ?? "text-slate-300"}`}>
            <time className="text-slate-400" dateTime={e.timestamp}>{new Date(e.timestamp).toLocaleTimeString()}</time>{" "}
            <span className="font-semibold">[{LEVEL_LABEL[e.level] ?? e.level}]</span> {e.message}
          </li>
        ))}
      </ol>
      <div ref={bottom} />
    </div>
  );
}
