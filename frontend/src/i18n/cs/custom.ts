// Vlastní agent (sestavený od nuly v Tvůrci agentů): jeho chaty na stránce agenta a stránka jednoho chatu.
import type { Catalogue } from "../types";
import type { custom as en } from "../en/custom";

export const custom: Catalogue<typeof en> = {
  panel: {
    heading: "Chaty",
    about: "Každý chat je samostatný rozhovor s tímto agentem; pamatuje si, co v něm padlo.",
    newChat: "+ Nový chat",
    creating: "Zakládám…",
    list: "Chaty",
    loading: "Načítám chaty…",
    empty: "Zatím žádné chaty. Začněte tlačítkem „+ Nový chat“.",
    lastActivity: "Naposledy {{when}}",
    neverUsed: "Zatím nepoužitý",
    answering: "Odpovídá…",
    manage: "Přejmenovat nebo smazat",
    manageChat: "Přejmenovat nebo smazat {{title}}",
    close: "Zavřít",
  },
  manage: {
    deleteChat: "Smazat chat",
    consequence: "Jeho rozhovor bude nenávratně odstraněn, spolu se složkou chatu ve vašem pracovním prostoru.",
  },
  page: {
    back: "← {{agent}}",
    backToAgent: "← Zpět k agentovi",
    manage: "Přejmenovat nebo smazat",
    close: "Zavřít",
  },
};
