// Applies the signed-in person's saved language, now and whenever their preferences change (Settings saves
// them and the query refreshes). Renders nothing.
import { useEffect } from "react";
import { usePreferences } from "../api/queries";
import { useSignedIn } from "../api/session";
import { applyLanguage } from "./index";

function SavedLanguage() {
  const preferences = usePreferences();
  const language = preferences.data?.language;
  useEffect(() => {
    if (language) applyLanguage(language);
  }, [language]);
  return null;
}

export function LanguageSync() {
  return useSignedIn() ? <SavedLanguage /> : null;
}
