// Keys phones lack (Esc, Tab, Ctrl, arrows, Enter), sent through the session. Buttons keep the terminal
// focused so the on-screen keyboard stays up.
import { useEffect, useState, type MouseEvent } from "react";
import type { TerminalSession } from "./TerminalSession";
import { KEY_SEQUENCES, type KeyName } from "./keys";

const KEYS: { key: KeyName; label: string; text: string }[] = [
  { key: "Esc", label: "Escape", text: "Esc" },
  { key: "Tab", label: "Tab", text: "Tab" },
  { key: "Left", label: "Arrow left", text: "←" },
  { key: "Up", label: "Arrow up", text: "↑" },
  { key: "Down", label: "Arrow down", text: "↓" },
  { key: "Right", label: "Arrow right", text: "→" },
  { key: "Enter", label: "Enter", text: "⏎" },
];

const keepFocus = (e: MouseEvent) => e.preventDefault();
const btn =
  "min-w-11 rounded-md border border-slate-700 bg-slate-800 px-2.5 py-2 text-sm font-medium active:bg-slate-700 focus-visible:outline-2 focus-visible:outline-sky-400";

export function KeyBar({ session }: { session: TerminalSession | null }) {
  const [ctrl, setCtrl] = useState(false);
  useEffect(() => {
    setCtrl(false);
    return session?.onCtrlChange(setCtrl);
  }, [session]);

  return (
    <div role="toolbar" aria-label="Terminal keys" className="flex gap-1.5 overflow-x-auto py-2">
      <button type="button" className={btn} aria-label="Escape" onMouseDown={keepFocus}
        onClick={() => session?.sendInput(KEY_SEQUENCES.Esc)} disabled={!session}>Esc</button>
      <button type="button" className={btn} aria-label="Tab" onMouseDown={keepFocus}
        onClick={() => session?.sendInput(KEY_SEQUENCES.Tab)} disabled={!session}>Tab</button>
      <button type="button" aria-pressed={ctrl} aria-label="Control" onMouseDown={keepFocus} disabled={!session}
        onClick={() => {
          session?.setCtrl(!ctrl);
          session?.focus();
        }}
        className={`${btn} ${ctrl ? "border-sky-400 bg-sky-900 text-sky-100" : ""}`}>Ctrl</button>
      {KEYS.slice(2).map((k) => (
        <button key={k.key} type="button" className={btn} aria-label={k.label} onMouseDown={keepFocus}
          onClick={() => session?.sendInput(KEY_SEQUENCES[k.key])} disabled={!session}>
          {k.text}
        </button>
      ))}
    </div>
  );
}
