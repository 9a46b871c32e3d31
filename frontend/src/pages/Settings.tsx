// Settings: the user's API keys (added with a provider and an optional base URL, shown only masked),
// preferences (the language, switched for the whole app as soon as it is saved: LanguageSync follows the
// saved preferences), and changing one's password. Each field shows the server's rule for it (api/limits)
// before anything is typed.
import { useRef, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import type { FieldErrors } from "../api/errors";
import { formErrors } from "../api/formErrors";
import { limits } from "../api/limits";
import {
  useAddApiKey,
  useApiKeys,
  useChangePassword,
  useDeleteApiKey,
  usePreferences,
  useSavePreferences,
  type ApiKey,
  type Preferences,
} from "../api/queries";
import { buttonClass, FormError, Saved, SelectInput, TextInput, useFocusFirstError, useFormErrors } from "../components/Form";
import { Empty, ErrorNote, Loading, PageTitle } from "../components/States";
import type { Language } from "../i18n";

const PROVIDERS = ["anthropic", "openai", "openrouter", "gemini", "deepseek", "groq", "meta"];

/** Each language named in its own words, so a person finds theirs whatever the page is in now. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: "English", cs: "Čeština" };

export function SettingsPage() {
  const { t } = useTranslation();
  return (
    <div className="space-y-6">
      <PageTitle>{t("settings.title")}</PageTitle>
      <ApiKeys />
      <PreferencesForm />
      <ChangePasswordForm />
    </div>
  );
}

function ApiKeys() {
  const { t } = useTranslation();
  const keys = useApiKeys();
  return (
    <section aria-labelledby="keys-h" className="space-y-4 rounded-xl border border-slate-800 bg-slate-900/60 p-4">
      <div>
        <h2 id="keys-h" className="font-semibold">{t("settings.keys.title")}</h2>
        <p className="text-sm text-slate-400">{t("settings.keys.about")}</p>
      </div>
      {keys.isPending && <Loading label={t("settings.keys.loading")} />}
      {keys.isError && <ErrorNote error={keys.error} onRetry={() => void keys.refetch()} />}
      {keys.data?.length === 0 && <Empty>{t("settings.keys.empty")}</Empty>}
      {keys.data && keys.data.length > 0 && (
        <ul aria-label={t("settings.keys.list")} className="divide-y divide-slate-800">
          {keys.data.map((key) => <KeyRow key={key.id} apiKey={key} />)}
        </ul>
      )}
      <AddKeyForm />
    </section>
  );
}

function KeyRow({ apiKey }: { apiKey: ApiKey }) {
  const { t } = useTranslation();
  const remove = useDeleteApiKey();
  return (
    <li className="flex flex-wrap items-center justify-between gap-2 py-2">
      <div>
        <span className="font-medium">{apiKey.provider}</span>{" "}
        <span className="font-mono text-sm text-slate-300" aria-label={t("settings.keys.endingIn", { lastFour: apiKey.last_four })}>
          ••••{apiKey.last_four}
        </span>
        {apiKey.base_url && <span className="block break-all text-xs text-slate-400">{apiKey.base_url}</span>}
      </div>
      <button type="button" className={buttonClass.danger} disabled={remove.isPending}
        aria-label={t("settings.keys.deleteLabel", { provider: apiKey.provider, lastFour: apiKey.last_four })}
        onClick={() => remove.mutate(apiKey.id)}>
        {t("settings.keys.delete")}
      </button>
      {remove.isError && <div className="w-full"><FormError message={remove.error.message} /></div>}
    </li>
  );
}

function AddKeyForm() {
  const { t } = useTranslation();
  const [provider, setProvider] = useState("anthropic");
  const [key, setKey] = useState("");
  const [baseUrl, setBaseUrl] = useState("");
  // The key just stored, confirmed in the words of the language now shown.
  const [saved, setSaved] = useState<ApiKey | null>(null);
  const add = useAddApiKey();
  const { errors, formRef } = useFormErrors(add.error, "provider"); // a 409: a key for this provider exists

  function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(null);
    add.mutate(
      { provider: provider.trim(), key: key.trim(), base_url: baseUrl.trim() || null },
      {
        onSuccess: (created) => {
          // The key leaves the page's memory once stored.
          setKey("");
          setBaseUrl("");
          setSaved(created);
        },
      },
    );
  }

  return (
    <form ref={formRef} onSubmit={submit} noValidate className="space-y-3 border-t border-slate-800 pt-4">
      <h3 className="text-sm font-semibold">{t("settings.addKey.title")}</h3>
      <div className="grid gap-3 sm:grid-cols-2">
        <TextInput label={t("settings.addKey.provider")} name="provider" list="providers" value={provider} onChange={(e) => setProvider(e.target.value)}
          error={errors.fields.provider} autoCapitalize="none" spellCheck={false}
          hint={t("settings.addKey.providerHint")} limit={limits.ApiKeyCreate.provider} />
        <datalist id="providers">{PROVIDERS.map((p) => <option key={p} value={p} />)}</datalist>
        <TextInput label={t("settings.addKey.key")} name="key" type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)}
          error={errors.fields.key} spellCheck={false} hint={t("settings.addKey.keyHint")} limit={limits.ApiKeyCreate.key} />
      </div>
      <TextInput label={t("settings.addKey.baseUrl")} name="base_url" type="url" value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)}
        error={errors.fields.base_url} hint={t("settings.addKey.baseUrlHint")}
        limit={limits.ApiKeyCreate.base_url} placeholder="https://…" />
      <FormError message={errors.message} />
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" className={buttonClass.primary} disabled={add.isPending || !key.trim() || !provider.trim()}>
          {add.isPending ? t("settings.addKey.saving") : t("settings.addKey.submit")}
        </button>
        <Saved message={saved && t("settings.addKey.saved", { provider: saved.provider, lastFour: saved.last_four })} />
      </div>
    </form>
  );
}

function PreferencesForm() {
  const { t } = useTranslation();
  const prefs = usePreferences();
  // Kept here: the fields below are remounted with the saved preferences, which would lose the confirmation.
  const [saved, setSaved] = useState(false);
  return (
    <section aria-labelledby="prefs-h" className="space-y-3 rounded-xl border border-slate-800 bg-slate-900/60 p-4">
      <h2 id="prefs-h" className="font-semibold">{t("settings.preferences.title")}</h2>
      {prefs.isPending && <Loading label={t("settings.preferences.loading")} />}
      {prefs.isError && <ErrorNote error={prefs.error} onRetry={() => void prefs.refetch()} />}
      {prefs.data && (
        <PreferencesFields key={JSON.stringify(prefs.data)} initial={prefs.data} saved={saved} setSaved={setSaved} />
      )}
    </section>
  );
}

interface PreferencesFieldsProps {
  initial: Preferences;
  saved: boolean;
  setSaved: (saved: boolean) => void;
}

const fontSize = limits.Preferences.terminal_font_size;

function PreferencesFields({ initial, saved, setSaved }: PreferencesFieldsProps) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<Preferences>(initial);
  const save = useSavePreferences();
  const { errors, formRef } = useFormErrors(save.error);
  return (
    <form ref={formRef} noValidate className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        setSaved(false);
        save.mutate(draft, { onSuccess: () => setSaved(true) });
      }}>
      <div className="max-w-xs">
        <SelectInput label={t("settings.preferences.language")} name="language" value={draft.language ?? "en"}
          error={errors.fields.language} hint={t("settings.preferences.languageHint")}
          onChange={(e) => {
            setSaved(false);
            setDraft({ ...draft, language: e.target.value as Language });
          }}>
          {Object.entries(LANGUAGE_NAMES).map(([code, name]) => (
            <option key={code} value={code} lang={code}>{name}</option>
          ))}
        </SelectInput>
      </div>
      <div className="max-w-48">
        <TextInput label={t("settings.preferences.fontSize")} name="terminal_font_size" type="number" value={draft.terminal_font_size ?? 14}
          min={fontSize.minimum} max={fontSize.maximum} error={errors.fields.terminal_font_size}
          hint={t("settings.preferences.fontSizeHint", { min: fontSize.minimum, max: fontSize.maximum })}
          onChange={(e) => {
            setSaved(false);
            setDraft({ ...draft, terminal_font_size: Number(e.target.value) });
          }} />
      </div>
      <FormError message={errors.message} />
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" className={buttonClass.primary} disabled={save.isPending}>
          {save.isPending ? t("settings.preferences.saving") : t("settings.preferences.submit")}
        </button>
        <Saved message={saved ? t("settings.preferences.saved") : null} />
      </div>
    </form>
  );
}

function ChangePasswordForm() {
  const { t } = useTranslation();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [repeat, setRepeat] = useState("");
  // A new object for every refused submit, so the repeat field is focused again each time.
  const [mismatch, setMismatch] = useState<FieldErrors | null>(null);
  const [saved, setSaved] = useState(false);
  const change = useChangePassword();
  const errors = formErrors(change.error);
  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstError(mismatch ?? errors.fields, formRef);

  function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    change.reset();
    if (next !== repeat) {
      setMismatch({ repeat_password: t("settings.password.mismatch") });
      return;
    }
    setMismatch(null);
    change.mutate(
      { current_password: current, new_password: next },
      {
        onSuccess: () => {
          setCurrent("");
          setNext("");
          setRepeat("");
          setSaved(true);
        },
      },
    );
  }

  return (
    <section aria-labelledby="password-h" className="space-y-3 rounded-xl border border-slate-800 bg-slate-900/60 p-4">
      <div>
        <h2 id="password-h" className="font-semibold">{t("settings.password.title")}</h2>
        <p className="text-sm text-slate-400">{t("settings.password.about")}</p>
      </div>
      <form ref={formRef} onSubmit={submit} noValidate className="space-y-3">
        <div className="max-w-sm space-y-3">
          <TextInput label={t("settings.password.current")} name="current_password" type="password" autoComplete="current-password" value={current}
            onChange={(e) => setCurrent(e.target.value)} error={errors.fields.current_password} />
          <TextInput label={t("settings.password.new")} name="new_password" type="password" autoComplete="new-password" value={next}
            onChange={(e) => setNext(e.target.value)} error={errors.fields.new_password}
            limit={limits.PasswordChange.new_password} />
          <TextInput label={t("settings.password.repeat")} name="repeat_password" type="password" autoComplete="new-password"
            value={repeat} onChange={(e) => setRepeat(e.target.value)} error={mismatch?.repeat_password} />
        </div>
        <FormError message={errors.message} />
        <div className="flex flex-wrap items-center gap-3">
          <button type="submit" className={buttonClass.primary} disabled={change.isPending || !current || !next || !repeat}>
            {change.isPending ? t("settings.password.changing") : t("settings.password.submit")}
          </button>
          <Saved message={saved ? t("settings.password.changed") : null} />
        </div>
      </form>
    </section>
  );
}
