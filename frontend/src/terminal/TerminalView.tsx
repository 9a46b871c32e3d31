// Thin React wrapper: creates a TerminalSession on mount, disposes of it on unmount, shows its status.
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import "@xterm/xterm/css/xterm.css";
import { TerminalSession, type TerminalStatus } from "./TerminalSession";
import { TERMINAL_BACKGROUND } from "./theme";

interface Props {
  name: string;
  /** Socket path when it is not the user's own tmux session (see TerminalSession). */
  path?: string;
  fontSize?: number;
  onSession?: (s: TerminalSession | null) => void;
}

export function TerminalView({ name, path, fontSize, onSession }: Props) {
  const { t } = useTranslation();
  const container = useRef<HTMLDivElement>(null);
  const [session, setSession] = useState<TerminalSession | null>(null);
  const [status, setStatus] = useState<{ s: TerminalStatus; detail?: string }>({ s: "connecting" });
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const s = new TerminalSession({ name, path, fontSize });
    const off = s.onStatus((st, detail) => setStatus({ s: st, detail }));
    s.open(el);
    s.focus();
    setSession(s);
    onSession?.(s);
    return () => {
      off();
      s.dispose();
      setSession(null);
      onSession?.(null);
    };
    // onSession is a callback prop and fontSize is applied live below: re-creating the session for either
    // would drop the connection.
  }, [name, path, generation]);

  useEffect(() => {
    if (session && fontSize) session.setFontSize(fontSize);
  }, [session, fontSize]);

  return (
    <div className="flex min-h-0 flex-1 flex-col gap-2">
      <div className="flex flex-wrap items-center gap-3 text-sm" aria-live="polite">
        <span className={status.s === "open" ? "text-emerald-300" : "text-amber-300"}>
          {t(`terminal.status.${status.s}`)}
          {status.detail && status.s !== "open" ? `: ${status.detail}` : ""}
        </span>
        {status.s === "closed" && session && (
          <button type="button" onClick={() => setGeneration((g) => g + 1)}
            className="rounded-md border border-slate-600 px-2 py-1 hover:bg-slate-800">
            {t("terminal.reconnect")}
          </button>
        )}
      </div>
      {/* The frame has the border and padding; xterm lives in the bare box inside, which is what the fit
          addon measures (it would count the frame's padding and border as rows: the last one was cut off). */}
      <div role="application" aria-label={t("terminal.frame", { name })} style={{ backgroundColor: TERMINAL_BACKGROUND }}
        className="flex min-h-40 flex-1 overflow-hidden rounded-lg border border-slate-800 p-1">
        <div ref={container} className="terminal-box min-h-0 min-w-0 flex-1" />
      </div>
    </div>
  );
}
