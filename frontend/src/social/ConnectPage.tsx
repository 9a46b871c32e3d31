// /social/connect: where Meta's login comes back (through /api/social/oauth/callback). The signed-in page hands
// Meta's `state` and `code` to the server, which answers with the accounts that login can reach; the person ticks
// the ones to connect (those already connected are marked) and goes back to the agent's Accounts.
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useSearchParams } from "react-router";
import { buttonClass } from "../components/Form";
import { Page } from "../components/Page";
import { Loading } from "../components/States";
import { completeConnection, pickAccounts, type Connection } from "./api";
import { PlatformName } from "./parts";
import { SocialError } from "./problems";

export function ConnectPage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const state = params.get("state") ?? "";
  const code = params.get("code") ?? "";
  const refused = params.get("error");
  const [connection, setConnection] = useState<Connection | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (refused || !state || !code) return;
    let gone = false;
    completeConnection(state, code).then(
      (found) => { if (!gone) setConnection(found); },
      (failed: unknown) => { if (!gone) setError(failed); },
    );
    return () => { gone = true; };
  }, [state, code, refused]);

  return (
    <Page title={t("social.connect.title")}>
      {refused || (!state || !code) ? (
        <div role="alert" className="space-y-2 rounded-lg border border-amber-700 bg-amber-950/40 p-3 text-amber-100">
          <p>{refused ? t("social.connect.refused", { reason: refused }) : t("social.connect.incomplete")}</p>
          <Link to="/" className="text-sky-300 underline">{t("common.backToDashboard")}</Link>
        </div>
      ) : error ? (
        <div className="space-y-2">
          <SocialError error={error} />
          <Link to="/" className="text-sky-300 underline">{t("common.backToDashboard")}</Link>
        </div>
      ) : !connection ? (
        <Loading label={t("social.connect.finishing")} />
      ) : (
        <PickAccounts connection={connection} />
      )}
    </Page>
  );
}

function PickAccounts({ connection }: { connection: Connection }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [keys, setKeys] = useState<Set<string>>(
    () => new Set(connection.candidates.filter((candidate) => !candidate.already_connected).map((candidate) => candidate.key)),
  );
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const back = `/agents/${connection.agent_id}?tab=accounts`;
  const submit = () => {
    setPending(true);
    setError(null);
    pickAccounts(connection.id, [...keys]).then(
      () => void navigate(back),
      (failed: unknown) => { setError(failed); setPending(false); },
    );
  };
  return (
    <div className="space-y-4">
      <p>{t("social.connect.choose")}</p>
      {connection.problem && <p role="note" className="rounded-md border border-amber-700 bg-amber-950/40 p-2 text-sm text-amber-100">{connection.problem}</p>}
      {connection.candidates.length === 0 ? <p className="text-slate-300">{t("social.connect.noneFound")}</p> : (
        <fieldset className="space-y-2">
          <legend className="sr-only">{t("social.connect.accounts")}</legend>
          {connection.candidates.map((candidate) => (
            <label key={candidate.key} className="flex items-start gap-3 rounded-lg border border-slate-800 bg-slate-900/60 p-3">
              <input type="checkbox" className="mt-1" checked={keys.has(candidate.key)}
                onChange={(event) => setKeys((old) => {
                  const next = new Set(old);
                  if (event.target.checked) next.add(candidate.key); else next.delete(candidate.key);
                  return next;
                })} />
              <span className="min-w-0">
                <span className="block font-medium">
                  <PlatformName platform={candidate.platform} />: {candidate.name}{candidate.username ? ` (@${candidate.username})` : ""}
                </span>
                {candidate.already_connected && <span className="block text-xs text-emerald-300">{t("social.connect.already")}</span>}
                {candidate.note && <span className="block text-xs text-slate-400">{candidate.note}</span>}
              </span>
            </label>
          ))}
        </fieldset>
      )}
      {error !== null && <SocialError error={error} />}
      <div className="flex flex-wrap gap-2">
        <button type="button" className={buttonClass.primary} disabled={pending || keys.size === 0} onClick={submit}>
          {pending ? t("social.connect.connecting") : t("social.connect.connect")}
        </button>
        <Link to={back} className={buttonClass.secondary}>{t("social.connect.cancel")}</Link>
      </div>
    </div>
  );
}
