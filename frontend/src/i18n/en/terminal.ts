// Terminals: the terminal page, its key bar and connection states.
export const terminal = {} as const;
