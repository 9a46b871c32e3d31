// The PWA's own texts in English and Czech (the preferences offer both). English is the source catalogue
// (en.ts); cs.ts must have exactly its keys, which the type checker enforces. The language comes from the
// signed-in person's saved preferences (LanguageSync), and before sign-in from the last one used on this
// device, else the browser's. The server's messages (a 422's sentence, a 409's reason) stay in English.
import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import { cs } from "./cs/index";
import { en } from "./en/index";

export const LANGUAGES = ["en", "cs"] as const;
export type Language = (typeof LANGUAGES)[number];

const STORAGE_KEY = "autocode.language";

function isLanguage(value: unknown): value is Language {
  return typeof value === "string" && (LANGUAGES as readonly string[]).includes(value);
}

/** The language to start in: the last one used on this device, else the browser's if we have it. */
export function initialLanguage(): Language {
  let saved: string | null = null;
  try {
    saved = localStorage.getItem(STORAGE_KEY);
  } catch {
    saved = null; // storage may be off (private mode): English or the browser's
  }
  if (isLanguage(saved)) return saved;
  const browser = typeof navigator !== "undefined" ? navigator.language.slice(0, 2) : "en";
  return isLanguage(browser) ? browser : "en";
}

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, cs: { translation: cs } },
  lng: initialLanguage(),
  fallbackLng: "en",
  interpolation: { escapeValue: false }, // React escapes
  returnNull: false,
});
document.documentElement.lang = i18n.language;

/** Switch the whole PWA's language now, and remember it on this device for the sign-in page. */
export function applyLanguage(language: string): void {
  if (!isLanguage(language)) return;
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // not remembered on this device; the preferences still hold it
  }
  document.documentElement.lang = language;
  if (i18n.language !== language) void i18n.changeLanguage(language);
}

export { i18n };
