// Response shapes of the control plane's API (see /api/openapi.json), the parts the app uses.

export interface User {
  id: number;
  username: string;
  role: "admin" | "user" | string;
  created_at: string;
}

export interface Agent {
  id: number;
  name: string;
  type: string;
  model: string;
  created_at: string;
  updated_at: string;
}

export type SandboxState = "running" | "stopped" | "starting" | string;

export interface Sandbox {
  user_id: number;
  username: string;
  state: SandboxState;
  desired_state: string;
  started_at: string | null;
  uptime_seconds: number | null;
  restarts: number;
}
