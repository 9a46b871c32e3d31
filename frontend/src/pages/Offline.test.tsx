import { act } from "react";
import { onlineManager, useQuery } from "@tanstack/react-query";
import { afterEach, describe, expect, it, vi } from "vitest";
import { OFFLINE_RETRY_MS, setOffline } from "../api/connectivity";
import { NetworkError } from "../api/errors";
import { render, unmountAll } from "../testing/render";
import { applyLanguage } from "../i18n";
import { Offline, OfflineBanner } from "./Offline";

/** A page showing one value the server gives, fetched by `fetchValue`. */
function makePage(fetchValue: () => Promise<string>) {
  function Value() {
    const value = useQuery({ queryKey: ["value"], queryFn: fetchValue, retry: false });
    return <p data-testid="value">{value.data ?? "none"}</p>;
  }
  return (
    <>
      <OfflineBanner />
      <Value />
    </>
  );
}

const bannerIn = (el: HTMLElement) => el.querySelector("[role=status]")?.textContent ?? null;
const valueIn = (el: HTMLElement) => el.querySelector("[data-testid=value]")?.textContent;

afterEach(async () => {
  unmountAll();
  onlineManager.setOnline(true);
  setOffline(false);
  vi.useRealTimers();
});

describe("offline and back", () => {
  it("the browser losing the network shows the banner at once; its return refetches and clears it", async () => {
    let value = "before";
    const el = await render(makePage(async () => value));
    await vi.waitFor(() => expect(valueIn(el)).toBe("before"));
    expect(bannerIn(el)).toBeNull();

    await act(async () => onlineManager.setOnline(false));
    expect(bannerIn(el)).toContain("You are offline");
    value = "changed meanwhile";

    await act(async () => onlineManager.setOnline(true));
    await vi.waitFor(() => expect(valueIn(el)).toBe("changed meanwhile")); // refetched though not stale
    expect(bannerIn(el)).toBeNull();
  });

  it("a server that stopped answering is asked again every little while, and the banner goes when it answers", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    let down = true;
    let value = "first";
    const el = await render(
      makePage(async () => {
        if (down) throw new NetworkError(new TypeError("Failed to fetch"));
        return value;
      }),
    );
    await vi.waitFor(() => expect(bannerIn(el)).toContain("You are offline"));
    down = false;
    value = "back";
    expect(valueIn(el)).toBe("none"); // nothing asks before the retry is due
    await act(async () => vi.advanceTimersByTime(OFFLINE_RETRY_MS));
    await vi.waitFor(() => expect(valueIn(el)).toBe("back"));
    expect(bannerIn(el)).toBeNull();
  });
});

describe("offline, in Czech", () => {
  it("the screen and the banner speak Czech", async () => {
    await act(async () => applyLanguage("cs"));
    const screen = await render(<Offline onRetry={() => undefined} />);
    expect(screen.querySelector("h1")?.textContent).toBe("Server AutoCode není k zastižení");
    expect(screen.querySelector("button")?.textContent).toBe("Zkusit znovu");

    const el = await render(makePage(async () => "value"));
    await act(async () => setOffline(true));
    expect(bannerIn(el)).toContain("Jste offline.");
    expect(bannerIn(el)).not.toContain("You are offline");
  });
});
