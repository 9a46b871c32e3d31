// Správa sociálních sítí: její části na stránce agenta (zatím AI asistent).
import type { Catalogue } from "../types";
import type { social as en } from "../en/social";

export const social: Catalogue<typeof en> = {
  assistant: {
    about:
      "Požádejte o příspěvek, třeba „Napiš příspěvek o našem novém žitném chlebu“. Každý navržený příspěvek má " +
      "tlačítko „Použít v novém příspěvku“ a před zveřejněním ho ještě můžete upravit.",
    loading: "Načítám asistenta…",
    post: "Navržený příspěvek {{number}}",
    useInNewPost: "Použít v novém příspěvku",
    tooLong: "{{chars}} znaků: Instagram jich bere nejvýš {{max}}.",
    tooManyHashtags: "Hashtagů: {{tags}}. Instagram jich bere nejvýš {{max}}.",
  },
};
