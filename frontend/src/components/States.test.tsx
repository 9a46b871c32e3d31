// ErrorNote: Retry for what may work next time; a way back, not Retry, for what does not exist (404).
import { act } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/errors";
import { render, unmountAll } from "../testing/render";
import { ErrorNote } from "./States";

afterEach(unmountAll);

const show = (error: unknown, onRetry?: () => void) => render(<ErrorNote error={error} onRetry={onRetry} />);

const buttons = (el: HTMLElement) => [...el.querySelectorAll("button")].map((b) => b.textContent);

describe("ErrorNote", () => {
  it("offers Retry for a failure that may pass", async () => {
    const retry = vi.fn();
    const el = await show(new ApiError(503, "The server is busy", null), retry);

    expect(el.querySelector("[role=alert]")?.textContent).toContain("The server is busy");
    expect(buttons(el)).toEqual(["Retry"]);
    await act(async () => el.querySelector("button")!.click());
    expect(retry).toHaveBeenCalledOnce();
    expect(el.querySelector("a")).toBeNull();
  });

  it("offers the way back, not Retry, for something that does not exist", async () => {
    const el = await show(new ApiError(404, "Project not found", null), vi.fn());

    expect(el.querySelector("[role=alert]")?.textContent).toContain("Project not found");
    expect(buttons(el)).toEqual([]);
    const back = el.querySelector("a");
    expect(back?.textContent).toBe("Back to the dashboard");
    expect(back?.getAttribute("href")).toBe("/");
  });
});
