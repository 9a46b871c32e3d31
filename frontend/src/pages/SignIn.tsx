// Sign-in form; an empty field is named under it, the server's own message (wrong password, throttled, …)
// sits under the form. No requirement hints here: the rules are for choosing a password, not typing one. It
// opens the page in the address bar only for the user who was on it (signed in again after their session ran
// out); anyone else lands on their dashboard.
import { useRef, useState, type FormEvent } from "react";
import { useNavigate } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { signIn } from "../api/auth";
import { NetworkError, type FieldErrors } from "../api/errors";
import { formErrors } from "../api/formErrors";
import { setOffline } from "../api/connectivity";
import { keys, type User } from "../api/queries";
import { buttonClass, FormError, TextInput, useFocusFirstError } from "../components/Form";
import { i18n } from "../i18n";

/** The fields left empty, each with what to do; checked here so an empty form costs no request. */
export function missingSignInFields(username: string, password: string): FieldErrors | null {
  const missing: FieldErrors = {};
  if (!username.trim()) missing.username = i18n.t("shell.signIn.enterUsername");
  if (!password) missing.password = i18n.t("shell.signIn.enterPassword");
  return Object.keys(missing).length > 0 ? missing : null;
}

export function SignIn() {
  const { t } = useTranslation();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [failure, setFailure] = useState<unknown>(null);
  // A new object for every refused submit, so the first empty field is focused again each time.
  const [missing, setMissing] = useState<FieldErrors | null>(null);
  const [busy, setBusy] = useState(false);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const errors = formErrors(failure);
  const fields = missing ?? errors.fields;
  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstError(fields, formRef);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setFailure(null);
    const empty = missingSignInFields(username, password);
    setMissing(empty);
    if (empty) return;
    setBusy(true);
    try {
      // Whose page is in the address bar: known only while their data is cached (a sign-out clears it).
      const previous = queryClient.getQueryData<User>(keys.me)?.username;
      // Before the sign-in, so no render shows the new user someone else's page.
      if (previous !== username) void navigate("/", { replace: true });
      // A previous user's cached data must not flash up for the next one.
      queryClient.clear();
      await signIn(username, password);
    } catch (err) {
      if (err instanceof NetworkError) setOffline(true);
      setFailure(err ?? new Error(t("shell.signIn.failed")));
      setBusy(false);
    }
  }

  return (
    <main className="flex min-h-full items-center justify-center p-4">
      <form ref={formRef} onSubmit={submit} className="w-full max-w-sm space-y-4 rounded-xl border border-slate-800 bg-slate-900/60 p-6" noValidate>
        <h1 className="text-2xl font-semibold">{t("shell.appName")}</h1>
        <p className="text-sm text-slate-400">{t("shell.signIn.intro")}</p>
        <TextInput label={t("shell.signIn.username")} name="username" autoComplete="username" autoCapitalize="none" spellCheck={false}
          value={username} onChange={(e) => setUsername(e.target.value)} error={fields.username} />
        <TextInput label={t("shell.signIn.password")} name="password" type="password" autoComplete="current-password"
          value={password} onChange={(e) => setPassword(e.target.value)} error={fields.password} />
        <FormError message={missing ? null : errors.message} />
        <button type="submit" disabled={busy} className={`${buttonClass.primary} w-full`}>
          {busy ? t("shell.signIn.signingIn") : t("shell.signIn.submit")}
        </button>
      </form>
    </main>
  );
}
