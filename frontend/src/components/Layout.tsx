// The app frame: a sidebar on wide screens, a drawer behind a "Menu" button on phones, and the one content
// column every page sits in. The frame is as tall as the visible viewport (index.css: 100dvh, or what the
// on-screen keyboard leaves, below), so a page that fills it (the terminal) never reaches under either.
import { useEffect, useRef, useState } from "react";
import { Outlet, useLocation } from "react-router";
import { useTranslation } from "react-i18next";
import { OfflineBanner } from "../pages/Offline";
import { useLiveEvents } from "../realtime/useLiveEvents";
import { Sidebar } from "./Sidebar";

/**
 * Every page's content column, decided here and nowhere else: one width on every page. `*:max-w-none!` undoes
 * any max-w-* on a page's root, so no page can drift from it. A page that
 * fills the height (Page's `fill`) lets the column shrink to the screen instead of growing to its content.
 */
export const PAGE_COLUMN = "mx-auto w-full max-w-4xl flex-1 *:max-w-none! has-[[data-page-fill]]:min-h-0";

/** The CSS variable index.css sizes the frame by while the on-screen keyboard is up. */
const VISIBLE_HEIGHT = "--visible-height";

/**
 * While the on-screen keyboard covers the bottom of the page (the visual viewport is shorter than the
 * layout viewport, not zoomed), the frame is as tall as what is left, so the terminal refits above the
 * keyboard and its key bar stays in sight; otherwise the frame is 100dvh.
 */
function useKeyboardFreeHeight(): void {
  useEffect(() => {
    const viewport = window.visualViewport;
    if (!viewport) return;
    const root = document.documentElement;
    const update = () => {
      const covered = Math.abs(viewport.scale - 1) < 0.01 && window.innerHeight - viewport.height > 1;
      if (covered) root.style.setProperty(VISIBLE_HEIGHT, `${viewport.height}px`);
      else root.style.removeProperty(VISIBLE_HEIGHT);
    };
    update();
    viewport.addEventListener("resize", update);
    return () => {
      viewport.removeEventListener("resize", update);
      root.style.removeProperty(VISIBLE_HEIGHT);
    };
  }, []);
}

export function Layout() {
  const [open, setOpen] = useState(false);
  const { t } = useTranslation();
  const location = useLocation();
  const menuButton = useRef<HTMLButtonElement>(null);
  const drawer = useRef<HTMLElement>(null);
  const wasOpen = useRef(false);
  useLiveEvents();
  useKeyboardFreeHeight();

  // Keyboard and screen-reader users land in the drawer when it opens and back on "Menu" when it closes.
  useEffect(() => {
    if (open) drawer.current?.querySelector<HTMLElement>("a, button")?.focus();
    else if (wasOpen.current) menuButton.current?.focus();
    wasOpen.current = open;
  }, [open]);

  // Navigating closes the drawer (focus goes to the new page, not back to "Menu"), as does Escape.
  const mainRef = useRef<HTMLElement>(null);
  const firstPath = useRef(location.pathname);
  useEffect(() => {
    wasOpen.current = false;
    setOpen(false);
    // A page that focused something of its own (the terminal) keeps it.
    const main = mainRef.current;
    if (location.pathname !== firstPath.current && main && !main.contains(document.activeElement)) main.focus();
  }, [location.pathname]);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && setOpen(false);
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [open]);

  return (
    <div className="flex h-full min-h-0">
      <aside className="hidden w-64 shrink-0 border-r border-slate-800 bg-slate-900 md:block">
        <Sidebar />
      </aside>

      {open && (
        <div className="fixed inset-0 z-40 md:hidden">
          <div className="absolute inset-0 bg-black/60" aria-hidden onClick={() => setOpen(false)} />
          <aside id="nav-drawer" ref={drawer} aria-label={t("shell.layout.navigation")} className="absolute inset-y-0 left-0 w-72 max-w-[85vw] bg-slate-900 shadow-xl">
            <Sidebar onClose={() => setOpen(false)} />
          </aside>
        </div>
      )}

      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex items-center gap-3 border-b border-slate-800 px-3 py-2 md:hidden">
          <button
            ref={menuButton}
            type="button"
            aria-expanded={open}
            aria-controls="nav-drawer"
            onClick={() => setOpen(true)}
            className="rounded-md border border-slate-700 px-3 py-1.5 text-sm hover:bg-slate-800 focus-visible:outline-2 focus-visible:outline-sky-400"
          >
            {t("shell.layout.menu")}
          </button>
          <span className="font-semibold">{t("shell.appName")}</span>
        </header>
        <OfflineBanner />
        <main ref={mainRef} tabIndex={-1} className="flex min-h-0 flex-1 flex-col overflow-auto p-4 outline-none md:p-6">
          <div className={PAGE_COLUMN}>
            <Outlet />
          </div>
        </main>
      </div>
    </div>
  );
}
