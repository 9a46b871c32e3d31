// Whether the screen is wide enough for the notes to sit beside the chat (Tailwind's lg: 1024 px and up).
import { useSyncExternalStore } from "react";

const QUERY = "(min-width: 1024px)";

function media(): MediaQueryList | null {
  return typeof window !== "undefined" && typeof window.matchMedia === "function" ? window.matchMedia(QUERY) : null;
}

function subscribe(onChange: () => void): () => void {
  const list = media();
  list?.addEventListener("change", onChange);
  return () => list?.removeEventListener("change", onChange);
}

export function useWide(): boolean {
  return useSyncExternalStore(subscribe, () => media()?.matches ?? false, () => false);
}
