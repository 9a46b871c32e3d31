// Shared pieces: loading, errors, confirmations, the sandbox's state words. In Czech, key for key as ../en/common.ts.
import type { Catalogue } from "../types";
import type { common as en } from "../en/common";

export const common: Catalogue<typeof en> = {
  loading: "Načítání…",
  somethingWentWrong: "Něco se pokazilo",
  backToDashboard: "Zpět na přehled",
  retry: "Zkusit znovu",
  fixFields: "Opravte prosím zvýrazněná pole.",
  keepIt: "Ponechat",
  deleteQuestion: "Smazat „{{name}}“?",
  yesDelete: "Ano, smazat {{name}}",
  manage: {
    name: "Název",
    rename: "Přejmenovat",
    saving: "Ukládám…",
    renamed: "Přejmenováno.",
  },
  sandboxState: {
    running: "běží",
    starting: "spouští se",
    stopped: "zastaveno",
    missing: "nevytvořeno",
  },
};
