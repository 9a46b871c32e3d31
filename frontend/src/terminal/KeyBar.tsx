// Keys phones lack (Esc, Tab, Ctrl, arrows, Enter), sent through the session. Buttons keep the terminal
// focused so the on-screen keyboard stays up. The keys share the row's width, so all of them fit on a
// 320 px screen.
import { useEffect, useState, type MouseEvent } from "react";
import type { TerminalSession } from "./TerminalSession";
import { KEY_SEQUENCES, type KeyName } from "./keys";

// Arrows and Enter show symbols, so they carry a spoken name; the others show their name.
const KEYS: { key: KeyName; label?: string; text: string }[] = [
  { key: "Esc", text: "Esc" },
  { key: "Tab", text: "Tab" },
  { key: "Left", label: "Arrow left", text: "←" },
  { key: "Up", label: "Arrow up", text: "↑" },
  { key: "Down", label: "Arrow down", text: "↓" },
  { key: "Right", label: "Arrow right", text: "→" },
  { key: "Enter", label: "Enter", text: "⏎" },
];

const keepFocus = (e: MouseEvent) => e.preventDefault();
const btn =
  "min-w-0 flex-1 rounded-md border border-slate-700 bg-slate-800 px-1 py-2 text-sm font-medium active:bg-slate-700 " +
  "focus-visible:outline-2 focus-visible:outline-sky-400";

export function KeyBar({ session }: { session: TerminalSession | null }) {
  const [ctrl, setCtrl] = useState(false);
  useEffect(() => {
    setCtrl(false);
    return session?.onCtrlChange(setCtrl);
  }, [session]);

  const key = (k: (typeof KEYS)[number]) => (
    <button key={k.key} type="button" className={btn} aria-label={k.label} onMouseDown={keepFocus}
      onClick={() => session?.sendInput(KEY_SEQUENCES[k.key])} disabled={!session}>
      {k.text}
    </button>
  );

  return (
    <div role="toolbar" aria-label="Terminal keys" className="flex w-full gap-1 py-2">
      {KEYS.slice(0, 2).map(key)}
      <button type="button" aria-pressed={ctrl} onMouseDown={keepFocus} disabled={!session}
        onClick={() => {
          session?.setCtrl(!ctrl);
          session?.focus();
        }}
        className={`${btn} ${ctrl ? "border-sky-400 bg-sky-900 text-sky-100" : ""}`}>Ctrl</button>
      {KEYS.slice(2).map(key)}
    </div>
  );
}
