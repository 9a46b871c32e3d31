// The dashboard and its first-run checklist.
export const dashboard = {} as const;
