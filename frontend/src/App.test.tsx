// Smoke tests of the React tree in happy-dom: start-up lands on sign-in, or on the offline screen.
import { act } from "react";
import { createRoot, type Root } from "react-dom/client";
import { MemoryRouter } from "react-router";
import { QueryClientProvider } from "@tanstack/react-query";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "./App";
import { setAccessToken } from "./api/accessToken";
import { setFetch } from "./api/transport";
import { setOffline } from "./api/connectivity";
import { makeQueryClient } from "./api/queryClient";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let root: Root | null = null;

async function mount(): Promise<HTMLElement> {
  const el = document.createElement("div");
  document.body.append(el);
  root = createRoot(el);
  await act(async () => {
    root!.render(
      <QueryClientProvider client={makeQueryClient()}>
        <MemoryRouter>
          <App />
        </MemoryRouter>
      </QueryClientProvider>,
    );
  });
  return el;
}

afterEach(() => {
  act(() => root?.unmount());
  document.body.innerHTML = "";
  setAccessToken(null);
  setOffline(false);
});

/** The path a fake fetch was asked for: the generated client sends Request objects with absolute URLs. */
const pathOf = (input: string | URL | Request) =>
  input instanceof Request ? new URL(input.url).pathname : new URL(String(input), "http://app.test").pathname;

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

describe("App", () => {
  it("shows the sign-in form when there is no sign-in to restore", async () => {
    setFetch(vi.fn(async () => json(401, { detail: "Not signed in" })) as typeof fetch);
    const el = await mount();
    await vi.waitFor(() => expect(el.querySelector("button[type=submit]")?.textContent).toBe("Sign in"));
    const labels = [...el.querySelectorAll("label")].map((l) => l.textContent);
    expect(labels).toEqual(["Username", "Password"]);
  });

  it("shows the offline screen when the server cannot be reached", async () => {
    setFetch(vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))) as typeof fetch);
    const el = await mount();
    await vi.waitFor(() => expect(el.textContent).toContain("The AutoCode server is unreachable"));
  });

  it("restores a sign-in, shows the dashboard and the Admin Panel link for admins only", async () => {
    setFetch(vi.fn(async (url: string | URL | Request) => {
      switch (pathOf(url)) {
        case "/api/auth/refresh":
          return json(200, { access_token: "t", expires_in: 900 });
        case "/api/auth/me":
          return json(200, { id: 1, username: "ann", role: "user", created_at: "" });
        case "/api/agents":
          return json(200, []);
        case "/api/sandbox":
          return json(200, { user_id: 1, username: "ann", state: "stopped", desired_state: "stopped", started_at: null, uptime_seconds: null, restarts: 0 });
        default:
          return json(404, { detail: "Not Found" });
      }
    }) as typeof fetch);
    const el = await mount();
    await vi.waitFor(() => expect(el.textContent).toContain("Signed in as ann"));
    await vi.waitFor(() => expect(el.textContent).toContain("No agents yet."));
    expect(el.textContent).toContain("stopped");
    expect(el.textContent).not.toContain("Admin Panel");
    expect([...el.querySelectorAll("button")].some((b) => b.textContent === "Menu")).toBe(true);
  });
});
