// Coding projects: the project page, plan, log, statuses, provider trouble, escalations.
export const projects = {} as const;
