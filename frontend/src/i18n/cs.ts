// The PWA's own texts in Czech, key for key as en.ts (the type checker refuses a missing or extra key).
import type { Catalogue } from "./types";

export const cs: Catalogue = {
  common: {
    loading: "Načítání…",
    somethingWentWrong: "Něco se pokazilo",
    backToDashboard: "Zpět na přehled",
    retry: "Zkusit znovu",
    keepIt: "Ponechat",
    deleteQuestion: "Smazat „{{name}}“?",
    yesDelete: "Ano, smazat {{name}}",
  },
  sandboxState: {
    running: "běží",
    starting: "spouští se",
    stopped: "zastaveno",
    missing: "nevytvořeno",
  },
};
