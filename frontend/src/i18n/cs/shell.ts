// The app's frame: navigation, sign-in, offline, not found, a page that broke, the page layout, form helpers. In Czech, key for key as ../en/shell.ts.
import type { Catalogue } from "../types";
import type { shell as en } from "../en/shell";

export const shell: Catalogue<typeof en> = {
  appName: "AutoCode",
  starting: "Spouštíme AutoCode…",
  loadingTerminal: "Načítáme terminál…",
  layout: {
    menu: "Nabídka",
    navigation: "Navigace",
  },
  nav: {
    label: "Hlavní",
    close: "Zavřít",
    dashboard: "Přehled",
    agents: "Agenti",
    loadingAgents: "Načítáme agenty…",
    agentsFailed: "Agenty se nepodařilo načíst",
    noAgents: "Zatím žádní agenti",
    newAgent: "+ Nový agent",
    terminal: "Terminál pracovního prostoru",
    settings: "Nastavení",
    admin: "Správa",
    signedInAs: "Přihlášený účet: {{name}}",
    signOut: "Odhlásit se",
  },
  signIn: {
    intro: "Přihlaste se ke svému účtu.",
    username: "Uživatelské jméno",
    password: "Heslo",
    enterUsername: "Zadejte své uživatelské jméno.",
    enterPassword: "Zadejte své heslo.",
    submit: "Přihlásit se",
    signingIn: "Přihlašujeme…",
    failed: "Přihlášení se nepovedlo",
  },
  offline: {
    title: "Server AutoCode není k zastižení",
    body: "Zkontrolujte připojení k internetu, nebo jestli server běží. AutoCode to zkouší znovu sám.",
    tryAgain: "Zkusit znovu",
    bannerTitle: "Jste offline.",
    bannerBody: "To, co vidíte, nemusí být aktuální; AutoCode se znovu připojí sám.",
  },
  notFound: {
    title: "Stránka nenalezena",
    body: "Na této adrese nic není.",
  },
  pageError: {
    title: "Na této stránce se něco pokazilo",
    body: "Obvykle pomůže stránku načíst znovu. Nic z toho, co jste uložili, se neztratilo.",
    reload: "Načíst znovu",
  },
};
