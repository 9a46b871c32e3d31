// A chunk that fails to load reloads the page once; failing again right after that reload is left to the
// error boundary (no reload loop), and so is every failure when the reload cannot be remembered.
import { afterEach, describe, expect, it, vi } from "vitest";
import { RELOAD_GUARD_MS, reloadOnChunkFailure } from "./reloadOnChunkFailure";

const stops: (() => void)[] = [];

afterEach(() => {
  stops.splice(0).forEach((stop) => stop());
  sessionStorage.clear();
});

/** Listen on the test's window with a fake reload and clock; `fail()` is Vite reporting a failed chunk. */
function install(storage: () => Pick<Storage, "getItem" | "setItem"> = () => sessionStorage) {
  const reload = vi.fn();
  const clock = { now: 1_000_000 };
  stops.push(reloadOnChunkFailure({ storage, reload, now: () => clock.now }));
  const fail = () => {
    const event = new Event("vite:preloadError", { cancelable: true });
    window.dispatchEvent(event);
    return event;
  };
  return { reload, clock, fail };
}

describe("reloadOnChunkFailure", () => {
  it("reloads, and stops Vite rethrowing, the first time", () => {
    const { reload, fail } = install();
    expect(fail().defaultPrevented).toBe(true);
    expect(reload).toHaveBeenCalledOnce();
  });

  it("leaves a second failure soon after to the error boundary, and reloads again once the guard has passed", () => {
    const { reload, clock, fail } = install();
    fail();

    clock.now += RELOAD_GUARD_MS - 1;
    expect(fail().defaultPrevented).toBe(false);
    expect(reload).toHaveBeenCalledOnce();

    clock.now += RELOAD_GUARD_MS;
    expect(fail().defaultPrevented).toBe(true);
    expect(reload).toHaveBeenCalledTimes(2);
  });

  it("remembers the reload across page loads (a new listener, the same session)", () => {
    const before = install();
    before.fail();
    stops.splice(0).forEach((stop) => stop());

    const after = install();
    after.clock.now = before.clock.now + 1_000;
    expect(after.fail().defaultPrevented).toBe(false);
    expect(after.reload).not.toHaveBeenCalled();
  });

  it("does not reload when storage throws (private mode), as it could not stop a loop", () => {
    const reading = install(() => ({
      getItem: () => { throw new DOMException("denied", "SecurityError"); },
      setItem: () => undefined,
    }));
    expect(reading.fail().defaultPrevented).toBe(false);
    expect(reading.reload).not.toHaveBeenCalled();
    stops.splice(0).forEach((stop) => stop());

    const writing = install(() => ({
      getItem: () => null,
      setItem: () => { throw new DOMException("full", "QuotaExceededError"); },
    }));
    expect(writing.fail().defaultPrevented).toBe(false);
    expect(writing.reload).not.toHaveBeenCalled();
  });

  it("does not reload when sessionStorage itself cannot be reached", () => {
    const { reload, fail } = install(() => { throw new DOMException("denied", "SecurityError"); });
    expect(fail().defaultPrevented).toBe(false);
    expect(reload).not.toHaveBeenCalled();
  });
});
