// Settings: keys, preferences, one's own password. In Czech, key for key as ../en/settings.ts.
import type { Catalogue } from "../types";
import type { settings as en } from "../en/settings";

export const settings: Catalogue<typeof en> = {
  title: "Nastavení",
  keys: {
    title: "Klíče API",
    about:
      "Agenti potřebují klíč od firmy, jejíž model používají, například od Anthropicu pro Clauda nebo od " +
      "OpenAI pro GPT. Vaše klíče patří jen vám: nikdo jiný z rodiny je nevidí ani nepoužije, a kdo je " +
      "potřebuje, přidá si vlastní. Klíč se ukládá zašifrovaný a už se nikdy celý neukáže, jen jeho poslední " +
      "čtyři znaky.",
    loading: "Načítáme klíče API…",
    empty: "Zatím nemáte žádný klíč API.",
    list: "Vaše klíče API",
    endingIn: "klíč končící na {{lastFour}}",
    deleteLabel: "Smazat klíč {{provider}} končící na {{lastFour}}",
    delete: "Smazat",
  },
  addKey: {
    title: "Přidat klíč API",
    provider: "Poskytovatel",
    providerHint: "Firma, od které klíč máte.",
    key: "Klíč API",
    keyHint: "Najdete ho na webu poskytovatele.",
    baseUrl: "Základní adresa URL (nepovinné)",
    baseUrlHint: "Jen pokud chcete použít jinou adresu tohoto poskytovatele, třeba proxy nebo vlastní server.",
    submit: "Přidat klíč",
    saving: "Ukládáme…",
    saved: "Klíč {{provider}} končící na {{lastFour}} je uložený.",
  },
  preferences: {
    title: "Předvolby",
    loading: "Načítáme předvolby…",
    language: "Jazyk",
    languageHint: "Jazyk, kterým k vám AutoCode mluví, na každém zařízení, kde se přihlásíte.",
    fontSize: "Velikost písma v terminálu",
    fontSizeHint: "{{min}} až {{max}} pixelů, pro každý terminál, který otevřete.",
    submit: "Uložit předvolby",
    saving: "Ukládáme…",
    saved: "Uloženo.",
  },
  password: {
    title: "Změna hesla",
    about: "Na tomto zařízení přihlášení zůstane; na ostatních se přihlásíte znovu.",
    current: "Současné heslo",
    new: "Nové heslo",
    repeat: "Nové heslo ještě jednou",
    mismatch: "Obě nová hesla se neshodují.",
    submit: "Změnit heslo",
    changing: "Měníme…",
    changed: "Vaše heslo je změněné.",
  },
};
