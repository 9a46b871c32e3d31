// Keys phones lack (Esc, Tab, Ctrl, arrows, Enter), sent through the session. Buttons keep the terminal
// focused so the on-screen keyboard stays up. The keys share the row's width, so all of them fit on a
// 320 px screen.
import { useEffect, useState, type MouseEvent } from "react";
import { useTranslation } from "react-i18next";
import type { TerminalSession } from "./TerminalSession";
import { KEY_SEQUENCES, type KeyName } from "./keys";

// Arrows and Enter show symbols, so they carry a spoken name (terminal.keys.*); the others show their name as
// keyboards print it, in every language.
const KEYS: { key: KeyName; label?: "left" | "up" | "down" | "right" | "enter"; text: string }[] = [
  { key: "Esc", text: "Esc" },
  { key: "Tab", text: "Tab" },
  { key: "Left", label: "left", text: "←" },
  { key: "Up", label: "up", text: "↑" },
  { key: "Down", label: "down", text: "↓" },
  { key: "Right", label: "right", text: "→" },
  { key: "Enter", label: "enter", text: "⏎" },
];

const keepFocus = (e: MouseEvent) => e.preventDefault();
const btn =
  "min-w-0 flex-1 rounded-md border border-slate-700 bg-slate-800 px-1 py-2 text-sm font-medium active:bg-slate-700 " +
  "focus-visible:outline-2 focus-visible:outline-sky-400";

export function KeyBar({ session }: { session: TerminalSession | null }) {
  const { t } = useTranslation();
  const [ctrl, setCtrl] = useState(false);
  useEffect(() => {
    setCtrl(false);
    return session?.onCtrlChange(setCtrl);
  }, [session]);

  const key = (k: (typeof KEYS)[number]) => (
    <button key={k.key} type="button" className={btn} aria-label={k.label && t(`terminal.keys.${k.label}`)} onMouseDown={keepFocus}
      onClick={() => session?.sendInput(KEY_SEQUENCES[k.key])} disabled={!session}>
      {k.text}
    </button>
  );

  return (
    <div role="toolbar" aria-label={t("terminal.keys.bar")} className="flex w-full gap-1 py-2">
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
