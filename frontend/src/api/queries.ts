// TanStack Query hooks over the generated client, one per resource, so pages share cached data and
// mutations invalidate what they change.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { setAccessToken } from "./accessToken";
import { api, unwrap, type Schemas } from "./client";

export type User = Schemas["UserPublic"];
export type AdminUser = Schemas["UserAdminView"];
export type Agent = Schemas["AgentPublic"];
export type AgentCreate = Schemas["AgentCreate"];
export type AgentUpdate = Schemas["AgentUpdate"];
export type AgentTemplate = Schemas["AgentTemplatePublic"];
export type Tool = Schemas["ToolPublic"];
export type ApiKey = Schemas["ApiKeyPublic"];
export type ApiKeyCreate = Schemas["ApiKeyCreate"];
export type Preferences = Schemas["Preferences"];
export type PasswordChange = Schemas["PasswordChange"];
export type Sandbox = Schemas["SandboxView"];
export type AdminSandbox = Schemas["SandboxAdminView"];
export type SandboxState = Sandbox["state"];

export const keys = {
  me: ["me"] as const,
  agents: ["agents"] as const,
  templates: ["agent-templates"] as const,
  tools: ["agent-tools"] as const,
  apiKeys: ["api-keys"] as const,
  preferences: ["preferences"] as const,
  sandbox: ["sandbox"] as const,
  users: ["users"] as const,
  adminSandboxes: ["admin-sandboxes"] as const,
};

export function useMe() {
  return useQuery({ queryKey: keys.me, queryFn: () => unwrap(api.GET("/api/auth/me")) });
}

/** Change one's own password. The server ends every sign-in and answers with new tokens for this one. */
export function useChangePassword() {
  return useMutation({
    mutationFn: (body: PasswordChange) => unwrap(api.POST("/api/auth/password", { body })),
    onSuccess: (tokens) => setAccessToken(tokens.access_token),
  });
}

// Agents -------------------------------------------------------------------------------------------

export function useAgents() {
  return useQuery({ queryKey: keys.agents, queryFn: () => unwrap(api.GET("/api/agents")) });
}

export function useTemplates() {
  return useQuery({
    queryKey: keys.templates,
    queryFn: () => unwrap(api.GET("/api/agent-templates")),
    staleTime: Infinity, // part of the server's code: changes only with a new release
  });
}

export function useTools() {
  return useQuery({
    queryKey: keys.tools,
    queryFn: () => unwrap(api.GET("/api/agent-tools")),
    staleTime: Infinity,
  });
}

export function useCreateAgent() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: AgentCreate) => unwrap(api.POST("/api/agents", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.agents }),
  });
}

export function useUpdateAgent(agentId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: AgentUpdate) =>
      unwrap(api.PUT("/api/agents/{agent_id}", { params: { path: { agent_id: agentId } }, body })),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.agents }),
  });
}

export function useDeleteAgent() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (agentId: number) =>
      unwrap(api.DELETE("/api/agents/{agent_id}", { params: { path: { agent_id: agentId } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.agents }),
  });
}

// Settings -----------------------------------------------------------------------------------------

export function useApiKeys() {
  return useQuery({ queryKey: keys.apiKeys, queryFn: () => unwrap(api.GET("/api/settings/api-keys")) });
}

export function useAddApiKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: ApiKeyCreate) => unwrap(api.POST("/api/settings/api-keys", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.apiKeys }),
  });
}

export function useDeleteApiKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (keyId: number) =>
      unwrap(api.DELETE("/api/settings/api-keys/{key_id}", { params: { path: { key_id: keyId } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.apiKeys }),
  });
}

export function usePreferences() {
  return useQuery({ queryKey: keys.preferences, queryFn: () => unwrap(api.GET("/api/settings/preferences")) });
}

export function useSavePreferences() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: Preferences) => unwrap(api.PUT("/api/settings/preferences", { body })),
    onSuccess: (data) => client.setQueryData(keys.preferences, data),
  });
}

// Sandbox ------------------------------------------------------------------------------------------

export function useSandbox() {
  return useQuery({
    queryKey: keys.sandbox,
    queryFn: () => unwrap(api.GET("/api/sandbox")),
    // /ws/events pushes state changes; this slow poll only repairs a missed event.
    refetchInterval: 60_000,
  });
}

export function useSandboxAction() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (action: "start" | "stop") =>
      unwrap(action === "start" ? api.POST("/api/sandbox/start") : api.POST("/api/sandbox/stop")),
    onSuccess: (data) => client.setQueryData(keys.sandbox, data),
  });
}

// Admin --------------------------------------------------------------------------------------------

export function useUsers() {
  return useQuery({ queryKey: keys.users, queryFn: () => unwrap(api.GET("/api/users")) });
}

export function useAdminSandboxes() {
  return useQuery({
    queryKey: keys.adminSandboxes,
    queryFn: () => unwrap(api.GET("/api/admin/sandboxes")),
    refetchInterval: 30_000, // memory and CPU figures change without events
  });
}

export function useCreateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas["UserCreate"]) => unwrap(api.POST("/api/users", { body })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: keys.users });
      void client.invalidateQueries({ queryKey: keys.adminSandboxes });
    },
  });
}

export function useResetPassword() {
  return useMutation({
    mutationFn: ({ userId, password }: { userId: number; password: string }) =>
      unwrap(api.PATCH("/api/users/{user_id}", { params: { path: { user_id: userId } }, body: { password } })),
  });
}

/** An admin sets someone's display name ("" clears it); the signed-in person's own name shows at once too. */
export function useSetDisplayName() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, displayName }: { userId: number; displayName: string }) =>
      unwrap(
        api.PATCH("/api/users/{user_id}", { params: { path: { user_id: userId } }, body: { display_name: displayName } }),
      ),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: keys.users });
      void client.invalidateQueries({ queryKey: keys.me });
    },
  });
}

export function useDeleteUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (userId: number) =>
      unwrap(api.DELETE("/api/users/{user_id}", { params: { path: { user_id: userId } } })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: keys.users });
      void client.invalidateQueries({ queryKey: keys.adminSandboxes });
    },
  });
}

export type SandboxAction = "start" | "stop" | "restart";

export function useAdminSandboxAction() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, action }: { userId: number; action: SandboxAction }) =>
      unwrap(
        api.POST("/api/admin/sandboxes/{user_id}/{action}", { params: { path: { user_id: userId, action } } }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.adminSandboxes }),
  });
}

// Coding projects -------------------------------------------------------------------------------

export type Project = Schemas["ProjectPublic"];
export type ProjectCreate = Schemas["ProjectCreate"];
export type ProjectUpdate = Schemas["ProjectUpdate"];
export type PlanStep = Schemas["PlanStep"];
export type ProjectStatus = Schemas["ProjectStatus"];
export type StepStatus = Schemas["StepStatus"];
export type ProviderProblem = Schemas["ProviderProblem"];
export type ProjectAction = "start" | "stop" | "restart" | "pause" | "resume";

export const projectKeys = {
  list: (agentId: number) => ["projects", "agent", agentId] as const,
  one: (projectId: number) => ["projects", projectId] as const,
  mine: ["projects", "mine"] as const,
  rules: (agentId: number) => ["rules", agentId] as const,
  all: ["projects"] as const,
};

export function useProjects(agentId: number) {
  return useQuery({
    queryKey: projectKeys.list(agentId),
    queryFn: () => unwrap(api.GET("/api/agents/{agent_id}/projects", { params: { path: { agent_id: agentId } } })),
  });
}

export function useProject(projectId: number) {
  return useQuery({
    queryKey: projectKeys.one(projectId),
    queryFn: () => unwrap(api.GET("/api/projects/{project_id}", { params: { path: { project_id: projectId } } })),
  });
}

function useProjectMutation<V>(projectId: number, call: (vars: V) => Promise<Project>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: call,
    onSuccess: async (data) => {
      // A refetch started before the change (a live event during a Stop) must not land after it with the old
      // state: cancel it, put the server's answer in, and fetch once more, since the instance may have
      // reported something newer (a Resume's "running") while the answer was on its way.
      await client.cancelQueries({ queryKey: projectKeys.one(projectId) });
      client.setQueryData(projectKeys.one(projectId), data);
      void client.invalidateQueries({ queryKey: projectKeys.one(projectId) });
      void client.invalidateQueries({ queryKey: projectKeys.list(data.agent_id) });
    },
  });
}

export function useCreateProject(agentId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: ProjectCreate) =>
      unwrap(api.POST("/api/agents/{agent_id}/projects", { params: { path: { agent_id: agentId } }, body })),
    onSuccess: () => client.invalidateQueries({ queryKey: projectKeys.list(agentId) }),
  });
}

export function useUpdateProject(projectId: number) {
  return useProjectMutation(projectId, (body: ProjectUpdate) =>
    unwrap(api.PUT("/api/projects/{project_id}", { params: { path: { project_id: projectId } }, body })),
  );
}

export function useProjectAction(projectId: number) {
  return useProjectMutation(projectId, (action: ProjectAction) =>
    unwrap(api.POST("/api/projects/{project_id}/{action}", { params: { path: { project_id: projectId, action } } })),
  );
}

export function useReply(projectId: number) {
  return useProjectMutation(projectId, (message: string) =>
    unwrap(api.POST("/api/projects/{project_id}/reply", { params: { path: { project_id: projectId } }, body: { message } })),
  );
}

export function useSavePlan(projectId: number) {
  return useProjectMutation(projectId, (steps: PlanStep[]) =>
    unwrap(api.PUT("/api/projects/{project_id}/plan", { params: { path: { project_id: projectId } }, body: { steps } })),
  );
}

export function useDeleteProject() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (projectId: number) =>
      unwrap(api.DELETE("/api/projects/{project_id}", { params: { path: { project_id: projectId } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: projectKeys.all }),
  });
}

export function useRules(agentId: number) {
  return useQuery({
    queryKey: projectKeys.rules(agentId),
    queryFn: () => unwrap(api.GET("/api/agents/{agent_id}/rules", { params: { path: { agent_id: agentId } } })),
  });
}

export function useSaveRules(agentId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (content: string) =>
      unwrap(api.PUT("/api/agents/{agent_id}/rules", { params: { path: { agent_id: agentId } }, body: { content } })),
    onSuccess: (data) => {
      client.setQueryData(projectKeys.rules(agentId), data);
      void client.invalidateQueries({ queryKey: keys.agents });
    },
  });
}

export function useAllProjects() {
  return useQuery({ queryKey: projectKeys.mine, queryFn: () => unwrap(api.GET("/api/projects")) });
}

// Models per provider ----------------------------------------------------------------------------

export type ModelCatalogue = Schemas["ModelCataloguePublic"];
export type ModelProvider = Schemas["ProviderPublic"];

/** Under keys.apiKeys, so adding or deleting a key (which invalidates that prefix) refreshes it too. */
export const modelsKey = [...keys.apiKeys, "models"] as const;

/** The model choices per provider, which providers the signed-in user has a key for, each template's model. */
export function useModels() {
  return useQuery({ queryKey: modelsKey, queryFn: () => unwrap(api.GET("/api/models")) });
}

// Research agent ----------------------------------------------------------------------------------

export type Research = Schemas["ResearchPublic"];
export type ResearchDetail = Schemas["ResearchDetail"];
export type ResearchFile = Schemas["ResearchFile"];
export type ResearchUpdate = Schemas["ResearchUpdate"];
export type MessageBody = Schemas["MessageBody"];

export const researchKeys = {
  all: ["research"] as const,
  list: (agentId: number, archived: boolean, q: string) => ["research", "agent", agentId, { archived, q }] as const,
  one: (researchId: number) => ["research", researchId] as const,
  files: (researchId: number) => ["research", researchId, "files"] as const,
};

export function useResearchList(agentId: number, archived: boolean, q: string) {
  return useQuery({
    queryKey: researchKeys.list(agentId, archived, q),
    queryFn: () =>
      unwrap(api.GET("/api/agents/{agent_id}/research", { params: { path: { agent_id: agentId }, query: { archived, q } } })),
  });
}

/** The research with its chat. Not refetched on focus: the chat stream keeps the conversation current. */
export function useResearch(researchId: number) {
  return useQuery({
    queryKey: researchKeys.one(researchId),
    queryFn: () => unwrap(api.GET("/api/research/{research_id}", { params: { path: { research_id: researchId } } })),
    refetchOnWindowFocus: false,
  });
}

export function useCreateResearch(agentId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) =>
      unwrap(api.POST("/api/agents/{agent_id}/research", { params: { path: { agent_id: agentId } }, body: { name } })),
    onSuccess: () => client.invalidateQueries({ queryKey: researchKeys.all }),
  });
}

/** Rename, archive or unarchive: the detail keeps its messages, the lists are refreshed. */
export function useUpdateResearch(researchId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: ResearchUpdate) =>
      unwrap(api.PATCH("/api/research/{research_id}", { params: { path: { research_id: researchId } }, body })),
    onSuccess: (data) => {
      client.setQueryData<ResearchDetail>(researchKeys.one(researchId), (old) => (old ? { ...old, ...data } : old));
      void client.invalidateQueries({ queryKey: [...researchKeys.all, "agent"] });
    },
  });
}

export function useDeleteResearch() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (researchId: number) =>
      unwrap(api.DELETE("/api/research/{research_id}", { params: { path: { research_id: researchId } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: [...researchKeys.all, "agent"] }),
  });
}

/** A message (or `retry_of` a failed one); the reply arrives on the chat stream. */
export function sendResearchMessage(researchId: number, body: MessageBody) {
  return unwrap(api.POST("/api/research/{research_id}/message", { params: { path: { research_id: researchId } }, body }));
}

export function interruptResearch(researchId: number) {
  return unwrap(api.POST("/api/research/{research_id}/interrupt", { params: { path: { research_id: researchId } } }));
}

export function useResearchFiles(researchId: number, enabled: boolean) {
  return useQuery({
    queryKey: researchKeys.files(researchId),
    queryFn: () => unwrap(api.GET("/api/research/{research_id}/files", { params: { path: { research_id: researchId } } })),
    enabled,
  });
}
