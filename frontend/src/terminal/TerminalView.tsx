// Thin React wrapper: creates a TerminalSession on mount, disposes of it on unmount, shows its status in
// plain words; the server's own reason for a close (developer words, in English) only under a disclosure.
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import "@xterm/xterm/css/xterm.css";
import { CLOSE_CODES } from "../realtime/closeCodes";
import { TerminalSession, type TerminalClose, type TerminalStatus } from "./TerminalSession";
import { TERMINAL_BACKGROUND } from "./theme";

type StatusWords = "connecting" | "open" | "reconnecting" | "notAnswering" | "ended" | "gone" | "forbidden" | "signedOut" | "closed";

/** Which sentence of terminal.status says a status, from the state and how the last connection ended. */
function statusWords(s: TerminalStatus, close?: TerminalClose): StatusWords {
  if (s === "reconnecting") return close?.code === CLOSE_CODES.unavailable ? "notAnswering" : "reconnecting";
  if (s !== "closed") return s;
  switch (close?.code) {
    case CLOSE_CODES.normal:
      return "ended";
    case CLOSE_CODES.notFound:
      return "gone";
    case CLOSE_CODES.forbidden:
      return "forbidden";
    case null: // no socket code: the ticket was refused, as the sign-in has ended
      return "signedOut";
    default:
      return "closed";
  }
}

/** The reason worth showing an admin: the server's (or a failed ticket's), not the client's own "signed out". */
function closeDetails(s: TerminalStatus, close?: TerminalClose): string {
  if (!close || (s === "closed" && close.code === null)) return "";
  return close.reason.trim();
}

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
  const [status, setStatus] = useState<{ s: TerminalStatus; close?: TerminalClose }>({ s: "connecting" });
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const s = new TerminalSession({ name, path, fontSize, endedLine: t("terminal.endedLine") });
    const off = s.onStatus((st, close) => setStatus({ s: st, close }));
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

  const details = closeDetails(status.s, status.close);
  const words = statusWords(status.s, status.close);
  // Reconnecting cannot mend a refusal or an ended sign-in (the app takes the person to sign in).
  const canReconnect = status.s === "closed" && words !== "forbidden" && words !== "signedOut";

  return (
    <div className="flex min-h-0 flex-1 flex-col gap-2">
      <div className="flex flex-wrap items-center gap-3 text-sm" aria-live="polite">
        <span className={status.s === "open" ? "text-emerald-300" : "text-amber-300"}>
          {t(`terminal.status.${words}`)}
        </span>
        {canReconnect && session && (
          <button type="button" onClick={() => setGeneration((g) => g + 1)}
            className="rounded-md border border-slate-600 px-2 py-1 hover:bg-slate-800">
            {t("terminal.reconnect")}
          </button>
        )}
        {details && (
          <details className="w-full min-w-0">
            <summary className="cursor-pointer text-xs text-slate-400">{t("terminal.closeDetails")}</summary>
            <p className="mt-1 whitespace-pre-wrap break-words text-xs text-slate-300">{details}</p>
          </details>
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
