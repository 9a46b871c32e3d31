// The Agent Builder, the agent form and the agent's page.
export const agents = {} as const;
