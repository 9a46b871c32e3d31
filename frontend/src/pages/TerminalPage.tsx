// The user's shell in their sandbox, with the phone key bar; it fills the visible height (Layout), so the
// terminal and its keys fit the screen and refit when it changes (a rotation, the on-screen keyboard).
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { usePreferences } from "../api/queries";
import { Page } from "../components/Page";
import { KeyBar } from "../terminal/KeyBar";
import { TerminalView } from "../terminal/TerminalView";
import type { TerminalSession } from "../terminal/TerminalSession";

export function TerminalPage() {
  const { t } = useTranslation();
  const [session, setSession] = useState<TerminalSession | null>(null);
  const fontSize = usePreferences().data?.terminal_font_size;
  return (
    <Page title={t("terminal.pageTitle")} fill>
      <TerminalView name="shell" fontSize={fontSize} onSession={setSession} />
      <KeyBar session={session} />
    </Page>
  );
}
