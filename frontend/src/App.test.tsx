// Smoke tests of the React tree in happy-dom: start-up lands on sign-in, or on the offline screen; a
// sign-out on a shared device leaves nothing of the previous user for the next one.
import { act } from "react";
import { useLocation } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "./App";
import { setAccessToken } from "./api/accessToken";
import { setFetch } from "./api/transport";
import { setOffline } from "./api/connectivity";
import { button, field, render, type, unmountAll } from "./testing/render";

/** The router's current path, where a test can read it. */
function WhereAmI() {
  return <output data-testid="path" hidden>{useLocation().pathname}</output>;
}

const mount = (path = "/") =>
  render(
    <>
      <App />
      <WhereAmI />
    </>,
    path,
  );

const pathIn = (el: HTMLElement) => el.querySelector("[data-testid=path]")?.textContent;

afterEach(() => {
  unmountAll();
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

  describe("on a shared device", () => {
    const ADMIN_AGENT = { id: 5, name: "Grandpa's secret agent", type: "custom", model: "m", identity: "", global_rules: "", tools: [], mcp_servers: {}, created_at: "" };
    const users: Record<string, { id: number; username: string; role: string; created_at: string }> = {
      "admin-token": { id: 1, username: "admin", role: "admin", created_at: "" },
      "bob-token": { id: 2, username: "bob", role: "user", created_at: "" },
    };
    /** Who asked, by the bearer token: the fake server answers each user with their own data. */
    const tokenOf = (input: string | URL | Request) =>
      (input instanceof Request ? input.headers.get("Authorization") : null)?.replace("Bearer ", "") ?? "";
    const asked: string[] = [];

    function fakeServer() {
      asked.length = 0;
      let signedIn = true; // the refresh cookie of the admin's sign-in
      setFetch(vi.fn(async (input: string | URL | Request) => {
        const path = pathOf(input);
        const user = users[tokenOf(input)];
        asked.push(`${user?.username ?? "-"} ${path}`);
        switch (path) {
          case "/api/auth/refresh":
            return signedIn ? json(200, { access_token: "admin-token", expires_in: 900 }) : json(401, { detail: "Sign in again" });
          case "/api/auth/logout":
            signedIn = false;
            return new Response(null, { status: 204 });
          case "/api/auth/login":
            return json(200, { access_token: "bob-token", expires_in: 900 });
        }
        if (!user) return json(401, { detail: "Not signed in" });
        switch (path) {
          case "/api/auth/me":
            return json(200, user);
          case "/api/agents":
            return json(200, user.username === "admin" ? [ADMIN_AGENT] : []);
          case "/api/projects":
            return json(200, []);
          case "/api/sandbox":
            return json(200, { user_id: user.id, username: user.username, state: "stopped", desired_state: "stopped", started_at: null, uptime_seconds: null, restarts: 0 });
          default:
            return json(404, { detail: "Not Found" });
        }
      }) as typeof fetch);
    }

    async function signOutFromTheAdminsAgentPage(): Promise<HTMLElement> {
      fakeServer();
      const el = await mount("/agents/5");
      await vi.waitFor(() => expect(el.querySelector("h1")?.textContent).toBe(ADMIN_AGENT.name));
      await act(async () => button(el, "Sign out").click());
      await vi.waitFor(() => expect(el.querySelector("button[type=submit]")?.textContent).toBe("Sign in"));
      return el;
    }

    it("sign-out lands on the sign-in page at the start, not on the previous page", async () => {
      const el = await signOutFromTheAdminsAgentPage();

      expect(pathIn(el)).toBe("/");
      expect(el.textContent).not.toContain(ADMIN_AGENT.name);
      expect(asked).toContain("- /api/auth/logout"); // the refresh cookie, not the access token, ends it
    });

    it("the next person lands on their own dashboard with none of the previous user's data", async () => {
      const el = await signOutFromTheAdminsAgentPage();

      await act(async () => {
        type(field(el, "Username"), "bob");
        type(field(el, "Password"), "bobs-password");
      });
      asked.length = 0;
      await act(async () => button(el, "Sign in").click());

      await vi.waitFor(() => expect(el.textContent).toContain("Signed in as bob"));
      await vi.waitFor(() => expect(el.textContent).toContain("No agents yet."));
      expect(pathIn(el)).toBe("/");
      expect(el.textContent).not.toContain(ADMIN_AGENT.name);
      expect(el.textContent).not.toContain("Agent not found");
      expect(el.textContent).not.toContain("Admin Panel");
      expect(asked.filter((a) => a.startsWith("admin "))).toEqual([]); // nothing more asked as the admin
    });

    it("someone else signing in after the session ran out lands on their dashboard, not on that page", async () => {
      fakeServer();
      const el = await mount("/agents/5");
      await vi.waitFor(() => expect(el.querySelector("h1")?.textContent).toBe(ADMIN_AGENT.name));
      await act(async () => setAccessToken(null)); // as a failed refresh does
      await vi.waitFor(() => expect(el.querySelector("button[type=submit]")?.textContent).toBe("Sign in"));

      await act(async () => {
        type(field(el, "Username"), "bob");
        type(field(el, "Password"), "bobs-password");
      });
      await act(async () => button(el, "Sign in").click());

      await vi.waitFor(() => expect(el.textContent).toContain("No agents yet."));
      expect(pathIn(el)).toBe("/");
      expect(el.textContent).not.toContain("Agent not found");
    });

    it("the same user signing in again after the session ran out goes back to their page", async () => {
      fakeServer();
      const el = await mount("/agents/5");
      await vi.waitFor(() => expect(el.querySelector("h1")?.textContent).toBe(ADMIN_AGENT.name));
      await act(async () => setAccessToken(null));
      await vi.waitFor(() => expect(el.querySelector("button[type=submit]")?.textContent).toBe("Sign in"));
      users["bob-token"] = users["admin-token"]; // the login answers with a token of the admin's
      try {
        await act(async () => {
          type(field(el, "Username"), "admin");
          type(field(el, "Password"), "admin-password");
        });
        await act(async () => button(el, "Sign in").click());

        await vi.waitFor(() => expect(el.querySelector("h1")?.textContent).toBe(ADMIN_AGENT.name));
        expect(pathIn(el)).toBe("/agents/5");
      } finally {
        users["bob-token"] = { id: 2, username: "bob", role: "user", created_at: "" };
      }
    });
  });
});
