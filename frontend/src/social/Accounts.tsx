// Accounts: the agent's connected Instagram and Facebook accounts with their status (connected, expiring soon,
// reconnect, with why), Reconnect and Disconnect (asked first), and "Connect with Facebook" / "Connect with
// Instagram", which go to Meta's login page and come back to /social/connect. When the server has no Meta app
// yet, the steps for the admin instead of an error.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ConfirmDelete } from "../components/ConfirmDelete";
import { buttonClass, FormError } from "../components/Form";
import { Empty, ErrorNote, Loading } from "../components/States";
import { connectUrl, useAccounts, useDisconnect, useSetup, type Account, type Login, type Setup } from "./api";
import { dateTime, PlatformName, SectionHeading } from "./parts";
import { ProblemNote, problemOf } from "./problems";
import { accountStatusView, StatusBadge } from "./status";

/** Going to Meta's login page: the browser leaves the PWA (a test replaces it). */
export const browser = { go: (url: string) => window.location.assign(url) };

export function AccountsSection({ agentId }: { agentId: number }) {
  const { t } = useTranslation();
  const setup = useSetup();
  const accounts = useAccounts(agentId);
  const [connecting, setConnecting] = useState<Login | null>(null);
  const [error, setError] = useState<unknown>(null);
  const connect = (login: Login) => {
    setConnecting(login);
    setError(null);
    connectUrl(agentId, login).then(browser.go, (failed: unknown) => {
      setError(failed);
      setConnecting(null);
    });
  };
  const ready = setup.data?.ready ?? false;
  const problem = problemOf(error);
  return (
    <div className="space-y-4">
      <SectionHeading>{t("social.accounts.heading")}</SectionHeading>
      {setup.isPending ? <Loading /> : setup.isError ? <ErrorNote error={setup.error} onRetry={() => void setup.refetch()} />
        : !ready ? <SetupSteps setup={setup.data} /> : (
          <div className="space-y-2">
            <p className="text-sm text-slate-300">{t("social.accounts.connectAbout")}</p>
            <div className="flex flex-wrap gap-2">
              <button type="button" className={buttonClass.primary} disabled={connecting !== null} onClick={() => connect("facebook")}>
                {t("social.accounts.connectFacebook")}
              </button>
              <button type="button" className={buttonClass.secondary} disabled={connecting !== null} onClick={() => connect("instagram")}>
                {t("social.accounts.connectInstagram")}
              </button>
            </div>
            <p className="text-xs text-slate-400">{t("social.accounts.whichLogin")}</p>
            {connecting && <p role="status" className="text-sm text-slate-300">{t("social.accounts.goingToMeta")}</p>}
            {problem ? <ProblemNote problem={problem} /> : <FormError message={error instanceof Error ? error.message : null} />}
          </div>
        )}
      {accounts.isPending ? <Loading /> : accounts.isError ? <ErrorNote error={accounts.error} onRetry={() => void accounts.refetch()} />
        : accounts.data.length === 0 ? <Empty>{t("social.accounts.none")}</Empty> : (
          <ul aria-label={t("social.accounts.list")} className="space-y-2">
            {accounts.data.map((account) => (
              <AccountItem key={account.id} account={account} canConnect={ready && connecting === null}
                onReconnect={() => connect(account.login)} />
            ))}
          </ul>
        )}
    </div>
  );
}

function AccountItem({ account, canConnect, onReconnect }: { account: Account; canConnect: boolean; onReconnect: () => void }) {
  const { t, i18n } = useTranslation();
  const [confirming, setConfirming] = useState(false);
  const disconnect = useDisconnect();
  const view = accountStatusView(account.status);
  return (
    <li className="space-y-2 rounded-lg border border-slate-800 bg-slate-900/60 p-3" data-account={account.name}>
      <div className="flex flex-wrap items-center gap-2">
        {account.picture_url && <img src={account.picture_url} alt="" referrerPolicy="no-referrer" className="size-8 rounded-full bg-slate-800 text-[0px]" />}
        <span className="min-w-0 break-words font-medium">
          {account.name}{account.username ? <span className="text-slate-400"> @{account.username}</span> : null}
        </span>
        <span className="text-xs text-slate-400"><PlatformName platform={account.platform} /></span>
        <StatusBadge view={view} status={account.status} />
      </div>
      {account.status !== "connected" && (
        <p className="text-sm text-amber-200">{account.status_note ?? view.hint}</p>
      )}
      {account.status === "connected" && account.token_expires_at && (
        <p className="text-xs text-slate-400">{t("social.accounts.validUntil", { time: dateTime(account.token_expires_at, i18n.language) })}</p>
      )}
      <div className="flex flex-wrap gap-2">
        {account.status !== "connected" && (
          <button type="button" className={buttonClass.primary} disabled={!canConnect} onClick={onReconnect}>{t("social.accounts.reconnect")}</button>
        )}
        {!confirming && (
          <button type="button" className={buttonClass.danger} onClick={() => setConfirming(true)}
            aria-label={t("social.accounts.disconnectNamed", { name: account.name })}>
            {t("social.accounts.disconnect")}
          </button>
        )}
      </div>
      {confirming && (
        <ConfirmDelete name={account.name} consequence={t("social.accounts.disconnectConsequence")} pending={disconnect.isPending}
          error={disconnect.error} onCancel={() => setConfirming(false)} onConfirm={() => disconnect.mutate(account.id)} />
      )}
    </li>
  );
}

/** What the admin has to do before accounts can be connected here: said as steps, not as an error. */
function SetupSteps({ setup }: { setup: Setup }) {
  const { t } = useTranslation();
  const steps = [
    t("social.setup.steps.app"),
    t("social.setup.steps.products"),
    t("social.setup.steps.redirect"),
    t("social.setup.steps.roles"),
    t("social.setup.steps.settings"),
    t("social.setup.steps.restart"),
  ];
  return (
    <section aria-labelledby="social-setup-h" className="space-y-2 rounded-lg border border-sky-800 bg-sky-950/30 p-4 text-sm">
      <h3 id="social-setup-h" className="font-semibold">{t("social.setup.heading")}</h3>
      <p>{t("social.setup.about")}</p>
      <ol className="list-decimal space-y-1 pl-5">
        {steps.map((step, index) => (
          <li key={index}>
            {step}
            {index === 2 && (
              <code className="mt-1 block break-all rounded bg-slate-900 px-2 py-1 text-xs" data-redirect-uri>
                {setup.redirect_uri ?? t("social.setup.redirectUnknown")}
              </code>
            )}
            {index === 4 && (
              <code className="mt-1 block break-all rounded bg-slate-900 px-2 py-1 text-xs">
                AUTOCODE_META_APP_ID, AUTOCODE_META_APP_SECRET, AUTOCODE_PUBLIC_URL
              </code>
            )}
          </li>
        ))}
      </ol>
      {setup.missing.length > 0 && (
        <p className="text-slate-300">{t("social.setup.missing", { what: setup.missing.map((item) => t(`social.setup.missingItem.${item}`)).join(", ") })}</p>
      )}
    </section>
  );
}
