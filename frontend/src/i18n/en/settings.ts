// Settings: keys, preferences, one's own password.
export const settings = {} as const;
