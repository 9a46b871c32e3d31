// Sign-in form; shows the server's own message (wrong password, throttled, …). It opens the page in the
// address bar only for the user who was on it (signed in again after their session ran out); anyone else
// lands on their dashboard.
import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { signIn } from "../api/auth";
import { NetworkError } from "../api/errors";
import { setOffline } from "../api/connectivity";
import { keys, type User } from "../api/queries";
import { FormError } from "../components/Form";

export function SignIn() {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const queryClient = useQueryClient();
  const navigate = useNavigate();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
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
      setError(err instanceof Error ? err.message : "Sign-in failed");
      setBusy(false);
    }
  }

  const input =
    "w-full rounded-md border border-slate-700 bg-slate-900 px-3 py-2 text-slate-100 focus:border-sky-400 focus:outline-none focus:ring-2 focus:ring-sky-400/40";
  return (
    <main className="flex min-h-full items-center justify-center p-4">
      <form onSubmit={submit} className="w-full max-w-sm space-y-4 rounded-xl border border-slate-800 bg-slate-900/60 p-6" noValidate>
        <h1 className="text-2xl font-semibold">AutoCode</h1>
        <p className="text-sm text-slate-400">Sign in to your account.</p>
        <div className="space-y-1">
          <label htmlFor="username" className="block text-sm font-medium">Username</label>
          <input id="username" name="username" autoComplete="username" autoCapitalize="none" required
            value={username} onChange={(e) => setUsername(e.target.value)} className={input} />
        </div>
        <div className="space-y-1">
          <label htmlFor="password" className="block text-sm font-medium">Password</label>
          <input id="password" name="password" type="password" autoComplete="current-password" required
            value={password} onChange={(e) => setPassword(e.target.value)} className={input} />
        </div>
        <FormError message={error} />
        <button type="submit" disabled={busy || !username || !password}
          className="w-full rounded-md bg-sky-500 px-4 py-2 font-medium text-slate-950 hover:bg-sky-400 disabled:opacity-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-300">
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
