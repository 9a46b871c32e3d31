// The app frame: a sidebar on wide screens, a drawer behind a "Menu" button on phones.
import { useEffect, useState } from "react";
import { Outlet, useLocation } from "react-router";
import { useLiveEvents } from "../realtime/useLiveEvents";
import { Sidebar } from "./Sidebar";

export function Layout() {
  const [open, setOpen] = useState(false);
  const location = useLocation();
  useLiveEvents();

  // Navigating closes the drawer, as does Escape.
  useEffect(() => setOpen(false), [location.pathname]);
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
          <aside id="nav-drawer" aria-label="Navigation" className="absolute inset-y-0 left-0 w-72 max-w-[85vw] bg-slate-900 shadow-xl">
            <Sidebar onClose={() => setOpen(false)} />
          </aside>
        </div>
      )}

      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex items-center gap-3 border-b border-slate-800 px-3 py-2 md:hidden">
          <button
            type="button"
            aria-expanded={open}
            aria-controls="nav-drawer"
            onClick={() => setOpen(true)}
            className="rounded-md border border-slate-700 px-3 py-1.5 text-sm hover:bg-slate-800 focus-visible:outline-2 focus-visible:outline-sky-400"
          >
            Menu
          </button>
          <span className="font-semibold">AutoCode</span>
        </header>
        <main className="min-h-0 flex-1 overflow-auto p-4 md:p-6">
          <Outlet />
        </main>
      </div>
    </div>
  );
}
