// Every Vitest file starts with the PWA's texts loaded, in English (tests find controls by their words), and
// every test ends back in English, so a test that switched to Czech leaves nothing behind.
import { act } from "react";
import { afterEach } from "vitest";
import { applyLanguage, i18n } from "../i18n";

await i18n.changeLanguage("en");

afterEach(async () => {
  await act(async () => applyLanguage("en"));
});
