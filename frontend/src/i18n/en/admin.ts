// The Admin Panel.
export const admin = {} as const;
