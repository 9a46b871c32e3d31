// Every Vitest file starts with the PWA's texts loaded, in English (tests find controls by their words).
import { i18n } from "../i18n";

await i18n.changeLanguage("en");
