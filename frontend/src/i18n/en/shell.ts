// The app's frame: navigation, sign-in, offline, not found, the page layout, form helpers.
export const shell = {} as const;
