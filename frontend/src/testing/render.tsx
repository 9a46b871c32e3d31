// A page rendered the way the app renders it (a fresh query client, a router), and used the way a person uses
// it: a field found by its label, a button by its words, text typed in, the messages a field is described by.
import { act, type ReactNode } from "react";
import { createRoot, type Root } from "react-dom/client";
import { MemoryRouter } from "react-router";
import { QueryClientProvider } from "@tanstack/react-query";
import { makeQueryClient } from "../api/queryClient";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const roots: Root[] = [];

/** Mount `node` under a fresh query client and a router at `path`; returns its container. */
export async function render(node: ReactNode, path = "/"): Promise<HTMLElement> {
  const el = document.createElement("div");
  document.body.append(el);
  const root = createRoot(el);
  roots.push(root);
  await act(async () => {
    root.render(
      <QueryClientProvider client={makeQueryClient()}>
        <MemoryRouter initialEntries={[path]}>{node}</MemoryRouter>
      </QueryClientProvider>,
    );
  });
  return el;
}

/** Unmount everything rendered so far and empty the document (each test's afterEach). */
export function unmountAll(): void {
  act(() => roots.splice(0).forEach((root) => root.unmount()));
  document.body.innerHTML = "";
}

/** The control a <label> with exactly this text points at. */
export function field(scope: ParentNode, label: string): HTMLInputElement {
  const found = [...scope.querySelectorAll("label")].find((l) => l.textContent === label);
  const input = found && scope.querySelector<HTMLInputElement>(`#${CSS.escape(found.htmlFor)}`);
  if (!input) throw new Error(`no field "${label}"`);
  return input;
}

export function button(scope: ParentNode, name: string): HTMLButtonElement {
  const found = [...scope.querySelectorAll("button")].find((b) => b.textContent?.trim() === name);
  if (!found) throw new Error(`no button "${name}"`);
  return found;
}

/** Type into a React-controlled input as a person would (the native setter, then an input event). */
export function type(input: HTMLInputElement, value: string): void {
  Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")!.set!.call(input, value);
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

/** Type into fields found by their labels. */
export async function fill(scope: ParentNode, values: Record<string, string>): Promise<void> {
  await act(async () => {
    for (const [label, value] of Object.entries(values)) type(field(scope, label), value);
  });
}

/** The texts a control is described by (its hint and its error), joined with " | ". */
export function describedBy(input: Element): string {
  return (input.getAttribute("aria-describedby") ?? "")
    .split(" ")
    .filter(Boolean)
    .map((id) => document.getElementById(id)?.textContent ?? "")
    .join(" | ");
}
