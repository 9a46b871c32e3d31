// A project's .claude/CLAUDE.md (docs/coding-agent.md, "Layered configuration"): read and saved through the
// control plane, which reaches the file in the sandbox without following links.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../api/client";

export const claudeMdKey = (projectId: number) => ["projects", projectId, "claude-md"] as const;

export function useClaudeMd(projectId: number) {
  return useQuery({
    queryKey: claudeMdKey(projectId),
    queryFn: () =>
      unwrap(api.GET("/api/projects/{project_id}/claude-md", { params: { path: { project_id: projectId } } })),
    refetchOnWindowFocus: false, // the user may be editing it
  });
}

export function useSaveClaudeMd(projectId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (content: string) =>
      unwrap(
        api.PUT("/api/projects/{project_id}/claude-md", { params: { path: { project_id: projectId } }, body: { content } }),
      ),
    onSuccess: (saved) => client.setQueryData(claudeMdKey(projectId), saved),
  });
}
