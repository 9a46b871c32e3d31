// Settings: keys, preferences, one's own password.
export const settings = {
  title: "Settings",
  keys: {
    title: "API keys",
    about:
      "Agents need a key from the company whose model they use, for example Anthropic for Claude or OpenAI " +
      "for GPT. Your keys are yours alone: nobody else in the family can see or use them, and they need " +
      "their own. A key is stored encrypted and never shown again, only its last four characters.",
    loading: "Loading API keys…",
    empty: "No API keys yet.",
    list: "Your API keys",
    endingIn: "key ending in {{lastFour}}",
    deleteLabel: "Delete the {{provider}} key ending in {{lastFour}}",
    delete: "Delete",
  },
  addKey: {
    title: "Add an API key",
    provider: "Provider",
    providerHint: "The company the key is from.",
    key: "API key",
    keyHint: "From the provider's website.",
    baseUrl: "Base URL (optional)",
    baseUrlHint: "Only for another endpoint of this provider, such as a proxy or a local server.",
    submit: "Add key",
    saving: "Saving…",
    saved: "Saved the {{provider}} key ending in {{lastFour}}.",
  },
  preferences: {
    title: "Preferences",
    loading: "Loading preferences…",
    language: "Language",
    languageHint: "The language AutoCode speaks to you in, on every device you sign in on.",
    fontSize: "Terminal font size",
    fontSizeHint: "{{min}} to {{max}} pixels, for every terminal you open.",
    submit: "Save preferences",
    saving: "Saving…",
    saved: "Saved.",
  },
  password: {
    title: "Change your password",
    about: "You stay signed in here; on your other devices you sign in again.",
    current: "Current password",
    new: "New password",
    repeat: "Repeat the new password",
    mismatch: "The two new passwords are not the same.",
    submit: "Change password",
    changing: "Changing…",
    changed: "Your password was changed.",
  },
} as const;
