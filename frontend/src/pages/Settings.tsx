// Settings: the user's API keys (added with a provider and an optional base URL, shown only masked),
// preferences, and changing one's password. Each field shows the server's rule for it (api/limits) before
// anything is typed.
import { useRef, useState, type FormEvent } from "react";
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
import { buttonClass, FormError, Saved, TextInput, useFocusFirstError, useFormErrors } from "../components/Form";
import { Empty, ErrorNote, Loading, PageTitle } from "../components/States";

const PROVIDERS = ["anthropic", "openai", "openrouter", "gemini", "deepseek", "groq", "meta"];

export function SettingsPage() {
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <PageTitle>Settings</PageTitle>
      <ApiKeys />
      <PreferencesForm />
      <ChangePasswordForm />
    </div>
  );
}

function ApiKeys() {
  const keys = useApiKeys();
  return (
    <section aria-labelledby="keys-h" className="space-y-4 rounded-xl border border-slate-800 bg-slate-900/60 p-4">
      <div>
        <h2 id="keys-h" className="font-semibold">API keys</h2>
        <p className="text-sm text-slate-400">
          Agents need a key from the company whose model they use, for example Anthropic for Claude or OpenAI
          for GPT. Your keys are yours alone: nobody else in the family can see or use them, and they need
          their own. A key is stored encrypted and never shown again, only its last four characters.
        </p>
      </div>
      {keys.isPending && <Loading label="Loading API keys…" />}
      {keys.isError && <ErrorNote error={keys.error} onRetry={() => void keys.refetch()} />}
      {keys.data?.length === 0 && <Empty>No API keys yet.</Empty>}
      {keys.data && keys.data.length > 0 && (
        <ul aria-label="Your API keys" className="divide-y divide-slate-800">
          {keys.data.map((key) => <KeyRow key={key.id} apiKey={key} />)}
        </ul>
      )}
      <AddKeyForm />
    </section>
  );
}

function KeyRow({ apiKey }: { apiKey: ApiKey }) {
  const remove = useDeleteApiKey();
  return (
    <li className="flex flex-wrap items-center justify-between gap-2 py-2">
      <div>
        <span className="font-medium">{apiKey.provider}</span>{" "}
        <span className="font-mono text-sm text-slate-300" aria-label={`key ending in ${apiKey.last_four}`}>
          ••••{apiKey.last_four}
        </span>
        {apiKey.base_url && <span className="block break-all text-xs text-slate-400">{apiKey.base_url}</span>}
      </div>
      <button type="button" className={buttonClass.danger} disabled={remove.isPending}
        aria-label={`Delete the ${apiKey.provider} key ending in ${apiKey.last_four}`}
        onClick={() => remove.mutate(apiKey.id)}>
        Delete
      </button>
      {remove.isError && <div className="w-full"><FormError message={remove.error.message} /></div>}
    </li>
  );
}

function AddKeyForm() {
  const [provider, setProvider] = useState("anthropic");
  const [key, setKey] = useState("");
  const [baseUrl, setBaseUrl] = useState("");
  const [saved, setSaved] = useState<string | null>(null);
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
          setSaved(`Saved the ${created.provider} key ending in ${created.last_four}.`);
        },
      },
    );
  }

  return (
    <form ref={formRef} onSubmit={submit} noValidate className="space-y-3 border-t border-slate-800 pt-4">
      <h3 className="text-sm font-semibold">Add an API key</h3>
      <div className="grid gap-3 sm:grid-cols-2">
        <TextInput label="Provider" name="provider" list="providers" value={provider} onChange={(e) => setProvider(e.target.value)}
          error={errors.fields.provider} autoCapitalize="none" spellCheck={false}
          hint="The company the key is from." limit={limits.ApiKeyCreate.provider} />
        <datalist id="providers">{PROVIDERS.map((p) => <option key={p} value={p} />)}</datalist>
        <TextInput label="API key" name="key" type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)}
          error={errors.fields.key} spellCheck={false} hint="From the provider's website." limit={limits.ApiKeyCreate.key} />
      </div>
      <TextInput label="Base URL (optional)" name="base_url" type="url" value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)}
        error={errors.fields.base_url} hint="Only for another endpoint of this provider, such as a proxy or a local server."
        limit={limits.ApiKeyCreate.base_url} placeholder="https://…" />
      <FormError message={errors.message} />
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" className={buttonClass.primary} disabled={add.isPending || !key.trim() || !provider.trim()}>
          {add.isPending ? "Saving…" : "Add key"}
        </button>
        <Saved message={saved} />
      </div>
    </form>
  );
}

function PreferencesForm() {
  const prefs = usePreferences();
  // Kept here: the fields below are remounted with the saved preferences, which would lose the confirmation.
  const [saved, setSaved] = useState<string | null>(null);
  return (
    <section aria-labelledby="prefs-h" className="space-y-3 rounded-xl border border-slate-800 bg-slate-900/60 p-4">
      <h2 id="prefs-h" className="font-semibold">Preferences</h2>
      {prefs.isPending && <Loading label="Loading preferences…" />}
      {prefs.isError && <ErrorNote error={prefs.error} onRetry={() => void prefs.refetch()} />}
      {prefs.data && (
        <PreferencesFields key={JSON.stringify(prefs.data)} initial={prefs.data} saved={saved} setSaved={setSaved} />
      )}
    </section>
  );
}

interface PreferencesFieldsProps {
  initial: Preferences;
  saved: string | null;
  setSaved: (message: string | null) => void;
}

const fontSize = limits.Preferences.terminal_font_size;

function PreferencesFields({ initial, saved, setSaved }: PreferencesFieldsProps) {
  const [draft, setDraft] = useState<Preferences>(initial);
  const save = useSavePreferences();
  const { errors, formRef } = useFormErrors(save.error);
  return (
    <form ref={formRef} noValidate className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        setSaved(null);
        save.mutate(draft, { onSuccess: () => setSaved("Saved.") });
      }}>
      <div className="max-w-48">
        <TextInput label="Terminal font size" name="terminal_font_size" type="number" value={draft.terminal_font_size ?? 14}
          min={fontSize.minimum} max={fontSize.maximum} error={errors.fields.terminal_font_size}
          hint={`${fontSize.minimum} to ${fontSize.maximum} pixels, for every terminal you open.`}
          onChange={(e) => {
            setSaved(null);
            setDraft({ ...draft, terminal_font_size: Number(e.target.value) });
          }} />
      </div>
      <FormError message={errors.message} />
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" className={buttonClass.primary} disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save preferences"}
        </button>
        <Saved message={saved} />
      </div>
    </form>
  );
}

function ChangePasswordForm() {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [repeat, setRepeat] = useState("");
  // A new object for every refused submit, so the repeat field is focused again each time.
  const [mismatch, setMismatch] = useState<FieldErrors | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const change = useChangePassword();
  const errors = formErrors(change.error);
  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstError(mismatch ?? errors.fields, formRef);

  function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(null);
    change.reset();
    if (next !== repeat) {
      setMismatch({ repeat_password: "The two new passwords are not the same." });
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
          setSaved("Your password was changed.");
        },
      },
    );
  }

  return (
    <section aria-labelledby="password-h" className="space-y-3 rounded-xl border border-slate-800 bg-slate-900/60 p-4">
      <div>
        <h2 id="password-h" className="font-semibold">Change your password</h2>
        <p className="text-sm text-slate-400">You stay signed in here; on your other devices you sign in again.</p>
      </div>
      <form ref={formRef} onSubmit={submit} noValidate className="space-y-3">
        <div className="max-w-sm space-y-3">
          <TextInput label="Current password" name="current_password" type="password" autoComplete="current-password" value={current}
            onChange={(e) => setCurrent(e.target.value)} error={errors.fields.current_password} />
          <TextInput label="New password" name="new_password" type="password" autoComplete="new-password" value={next}
            onChange={(e) => setNext(e.target.value)} error={errors.fields.new_password}
            limit={limits.PasswordChange.new_password} />
          <TextInput label="Repeat the new password" name="repeat_password" type="password" autoComplete="new-password"
            value={repeat} onChange={(e) => setRepeat(e.target.value)} error={mismatch?.repeat_password} />
        </div>
        <FormError message={errors.message} />
        <div className="flex flex-wrap items-center gap-3">
          <button type="submit" className={buttonClass.primary} disabled={change.isPending || !current || !next || !repeat}>
            {change.isPending ? "Changing…" : "Change password"}
          </button>
          <Saved message={saved} />
        </div>
      </form>
    </section>
  );
}
