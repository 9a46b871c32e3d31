// The dashboard and its first-run checklist. In Czech, key for key as ../en/dashboard.ts.
import type { Catalogue } from "../types";
import type { dashboard as en } from "../en/dashboard";

export const dashboard: Catalogue<typeof en> = {
  title: "Přehled",
  workspace: {
    title: "Váš pracovní prostor",
    about: "Vaše vlastní místo na serveru, kde bydlí vaše soubory, terminály a agenti.",
    technical: "Technicky jde o izolovaný kontejner (sandbox).",
    loading: "Načítáme váš pracovní prostor…",
    state: "Stav pracovního prostoru:",
    start: "Spustit",
    stop: "Zastavit",
    openTerminal: "Otevřít terminál",
  },
  agents: {
    title: "Vaši agenti",
    newAgent: "+ Nový agent",
    loading: "Načítáme agenty…",
    empty: "Zatím tu nemáte žádného agenta. Začněte tím, že si ho vytvoříte ze šablony.",
  },
  work: {
    title: "Rozpracováno",
    loading: "Načítáme projekty…",
    empty: "Nic teď neběží. Projekty, na kterých pracují vaši programovací agenti, se tu ukážou i s postupem.",
    list: "Rozpracované projekty",
  },
  firstRun: {
    title: "Začínáme",
    progress: "Hotovo {{done}} z {{total}}",
    perPerson:
      "Každý má své vlastní klíče: nový člen rodiny začíná bez nich a vaši agenti používají jen ty vaše.",
    list: "Kroky pro začátek",
    done: " (hotovo)",
    toDo: " (zbývá)",
    hide: "Skrýt tento seznam",
    steps: {
      key: {
        label: "Přidejte klíč od poskytovatele modelu",
        detail:
          "Agent se ke svému modelu dostane přes klíč API: pro Clauda od Anthropicu (ten potřebuje i Claude Code), pro GPT od OpenAI.",
      },
      agent: {
        label: "Vytvořte agenta",
        detail: "Začněte ze šablony: model se vybere podle klíčů, které máte.",
      },
      start: {
        label: "Něco spusťte",
        detail: "Zadejte programovacímu agentovi projekt a stiskněte Spustit.",
      },
    },
  },
};
