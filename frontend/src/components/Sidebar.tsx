// Navigation: Dashboard, one entry per agent, + New Agent, the workspace terminal, Settings, Admin Panel (admins).
import { NavLink } from "react-router";
import { useTranslation } from "react-i18next";
import { useAgents, useMe } from "../api/queries";
import { useSignOut } from "../api/session";

const link = ({ isActive }: { isActive: boolean }) =>
  `block rounded-md px-3 py-2 text-sm focus-visible:outline-2 focus-visible:outline-sky-400 ${
    isActive ? "bg-slate-800 font-medium text-sky-300" : "text-slate-300 hover:bg-slate-800"
  }`;

export function Sidebar({ onClose }: { onClose?: () => void }) {
  const me = useMe();
  const agents = useAgents();
  const signOut = useSignOut();
  const { t } = useTranslation();

  return (
    <nav aria-label={t("shell.nav.label")} className="flex h-full flex-col gap-1 overflow-y-auto p-3">
      <div className="mb-3 flex items-center justify-between px-3 pt-1">
        <span className="text-lg font-semibold">{t("shell.appName")}</span>
        {onClose && (
          <button type="button" onClick={onClose} className="rounded-md px-2 py-1 text-sm text-slate-400 hover:bg-slate-800">
            {t("shell.nav.close")}
          </button>
        )}
      </div>
      <NavLink to="/" end className={link}>{t("shell.nav.dashboard")}</NavLink>

      <h2 className="mt-3 px-3 text-xs font-semibold uppercase tracking-wide text-slate-400">{t("shell.nav.agents")}</h2>
      {agents.isPending && <p className="px-3 py-1 text-sm text-slate-400">{t("shell.nav.loadingAgents")}</p>}
      {agents.isError && <p className="px-3 py-1 text-sm text-red-300">{t("shell.nav.agentsFailed")}</p>}
      {agents.data?.length === 0 && <p className="px-3 py-1 text-sm text-slate-400">{t("shell.nav.noAgents")}</p>}
      {agents.data?.map((a) => (
        <NavLink key={a.id} to={`/agents/${a.id}`} className={link}>{a.name}</NavLink>
      ))}
      <NavLink to="/agents/new" className={link}>{t("shell.nav.newAgent")}</NavLink>

      <div className="mt-3 border-t border-slate-800 pt-3" />
      <NavLink to="/terminal" className={link}>{t("shell.nav.terminal")}</NavLink>
      <NavLink to="/settings" className={link}>{t("shell.nav.settings")}</NavLink>
      {me.data?.role === "admin" && <NavLink to="/admin" className={link}>{t("shell.nav.admin")}</NavLink>}

      <div className="mt-auto border-t border-slate-800 pt-3">
        {me.data && (
          <p className="px-3 pb-2 text-sm text-slate-400">
            {t("shell.nav.signedInAs", { name: me.data.display_name || me.data.username })}
            {me.data.display_name && <span className="block text-xs">{me.data.username}</span>}
          </p>
        )}
        <button
          type="button"
          onClick={() => {
            void signOut();
          }}
          className="w-full rounded-md px-3 py-2 text-left text-sm text-slate-300 hover:bg-slate-800 focus-visible:outline-2 focus-visible:outline-sky-400"
        >
          {t("shell.nav.signOut")}
        </button>
      </div>
    </nav>
  );
}
