// The user's shell in their sandbox, with the phone key bar.
import { useState } from "react";
import { usePreferences } from "../api/queries";
import { KeyBar } from "../terminal/KeyBar";
import { TerminalView } from "../terminal/TerminalView";
import type { TerminalSession } from "../terminal/TerminalSession";

export function TerminalPage() {
  const [session, setSession] = useState<TerminalSession | null>(null);
  const fontSize = usePreferences().data?.terminal_font_size;
  return (
    <div className="flex h-full min-h-[24rem] flex-col">
      <h1 className="mb-2 text-xl font-semibold">Sandbox terminal</h1>
      <TerminalView name="shell" fontSize={fontSize} onSession={setSession} />
      <KeyBar session={session} />
    </div>
  );
}
