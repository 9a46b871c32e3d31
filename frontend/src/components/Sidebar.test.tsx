// The sidebar names the signed-in person by their display name when they have one.
import { afterEach, describe, expect, it, vi } from "vitest";
import { setAccessToken } from "../api/accessToken";
import { setFetch } from "../api/transport";
import { json } from "../testing/http";
import { render, unmountAll } from "../testing/render";
import { Sidebar } from "./Sidebar";

afterEach(() => {
  unmountAll();
  setAccessToken(null);
});

async function mountAs(me: object): Promise<HTMLElement> {
  setAccessToken("t");
  setFetch(vi.fn(async (input: string | URL | Request) => {
    switch (new URL((input as Request).url).pathname) {
      case "/api/auth/me":
        return json(200, me);
      case "/api/agents":
        return json(200, []);
      default:
        return json(404, { detail: "Not Found" });
    }
  }) as typeof fetch);
  return render(<Sidebar />);
}

const signedInAs = (el: HTMLElement) =>
  [...el.querySelectorAll("p")].find((p) => p.textContent?.startsWith("Signed in as"));

describe("Sidebar", () => {
  it("names the signed-in person by their display name, the username below it", async () => {
    const el = await mountAs({ id: 2, username: "lucie", display_name: "Lucie Nováková", role: "user", created_at: "" });

    await vi.waitFor(() => expect(signedInAs(el)).toBeDefined());
    expect(signedInAs(el)!.firstChild?.textContent).toBe("Signed in as Lucie Nováková");
    expect(signedInAs(el)!.textContent).toBe("Signed in as Lucie Nováková" + "lucie");
    expect(signedInAs(el)!.querySelector("span")?.textContent).toBe("lucie");
  });

  it("falls back to the username when there is no display name", async () => {
    const el = await mountAs({ id: 3, username: "ann", display_name: "", role: "user", created_at: "" });

    await vi.waitFor(() => expect(signedInAs(el)?.textContent).toBe("Signed in as ann"));
    expect(signedInAs(el)!.querySelector("span")).toBeNull();
  });
});
