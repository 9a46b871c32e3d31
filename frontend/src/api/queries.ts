// TanStack Query hooks for the API, one per resource, so pages share cached data and invalidation.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiJson } from "./auth";
import type { Agent, Sandbox, User } from "./types";

export const keys = {
  me: ["me"] as const,
  agents: ["agents"] as const,
  sandbox: ["sandbox"] as const,
};

export function useMe() {
  return useQuery({ queryKey: keys.me, queryFn: () => apiJson<User>("/api/auth/me") });
}

export function useAgents() {
  return useQuery({ queryKey: keys.agents, queryFn: () => apiJson<Agent[]>("/api/agents") });
}

export function useSandbox() {
  return useQuery({
    queryKey: keys.sandbox,
    queryFn: () => apiJson<Sandbox>("/api/sandbox"),
    // Until /ws/events drives it, poll so "starting" turns into "running" on screen.
    refetchInterval: (q) => (q.state.data?.state === "starting" ? 2000 : 15000),
  });
}

export function useSandboxAction() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (action: "start" | "stop") =>
      apiJson<Sandbox>(`/api/sandbox/${action}`, { method: "POST" }),
    onSuccess: (data) => client.setQueryData(keys.sandbox, data),
  });
}
