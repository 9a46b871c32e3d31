// The Admin Panel: every account with its name, role, agent count and sandbox; create accounts, set
// display names, reset passwords, delete accounts (typed confirmation), start/stop/restart sandboxes. Each
// field shows the server's rule for it (api/limits) before anything is typed.
import { useState, type FormEvent } from "react";
import { limits } from "../api/limits";
import {
  useAdminSandboxAction,
  useAdminSandboxes,
  useCreateUser,
  useDeleteUser,
  useMe,
  useResetPassword,
  useSetDisplayName,
  useUsers,
  type AdminSandbox,
  type AdminUser,
  type SandboxAction,
} from "../api/queries";
import { buttonClass, FormError, inputClass, Saved, TextInput, useFormErrors } from "../components/Form";
import { StateBadge } from "../components/StateBadge";
import { Empty, ErrorNote, Loading, PageTitle } from "../components/States";

export function AdminPage() {
  const me = useMe();
  if (me.isPending) return <Loading />;
  if (me.isError) return <ErrorNote error={me.error} />;
  if (me.data.role !== "admin") {
    return (
      <div className="mx-auto max-w-3xl">
        <PageTitle>Not allowed</PageTitle>
        <Empty>Only administrators can open the Admin Panel.</Empty>
      </div>
    );
  }
  return (
    <div className="mx-auto max-w-5xl space-y-6">
      <PageTitle>Admin Panel</PageTitle>
      <Users myId={me.data.id} />
      <CreateUser />
    </div>
  );
}

function Users({ myId }: { myId: number }) {
  const users = useUsers();
  const sandboxes = useAdminSandboxes();
  const byUser = new Map((sandboxes.data ?? []).map((s) => [s.user_id, s]));
  return (
    <section aria-labelledby="users-h" className="space-y-3">
      <h2 id="users-h" className="font-semibold">Users</h2>
      {users.isPending && <Loading label="Loading users…" />}
      {users.isError && <ErrorNote error={users.error} onRetry={() => void users.refetch()} />}
      {sandboxes.isError && <ErrorNote error={sandboxes.error} onRetry={() => void sandboxes.refetch()} />}
      {users.data && (
        <ul className="space-y-3" aria-label="Accounts">
          {users.data.map((u) => (
            <UserCard key={u.id} user={u} sandbox={byUser.get(u.id)} sandboxesLoading={sandboxes.isPending} isMe={u.id === myId} />
          ))}
        </ul>
      )}
    </section>
  );
}

function formatBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return mib >= 1024 ? `${(mib / 1024).toFixed(1)} GiB` : `${Math.round(mib)} MiB`;
}

interface CardProps {
  user: AdminUser;
  sandbox?: AdminSandbox;
  sandboxesLoading: boolean;
  isMe: boolean;
}

function UserCard({ user, sandbox, sandboxesLoading, isMe }: CardProps) {
  const [panel, setPanel] = useState<"none" | "name" | "password" | "delete">("none");
  const action = useAdminSandboxAction();
  const run = (a: SandboxAction) => action.mutate({ userId: user.id, action: a });
  const state = sandbox?.state;
  const noSandbox = state === "missing"; // no container: nothing to stop or restart, only to start

  return (
    <li aria-label={user.username} className="rounded-xl border border-slate-800 bg-slate-900/60 p-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <p className="font-medium">
            {user.display_name || user.username} {isMe && <span className="text-sm text-slate-400">(you)</span>}
          </p>
          {user.display_name && <p className="text-sm text-slate-400">Username: {user.username}</p>}
          <p className="text-sm text-slate-400">
            {user.role === "admin" ? "Administrator" : "User"} · {user.agent_count} {user.agent_count === 1 ? "agent" : "agents"}
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <span className="text-slate-400">Sandbox</span>
          {sandboxesLoading ? <span className="text-slate-400">…</span> : <StateBadge state={state ?? "unknown"} />}
          {sandbox?.memory_bytes != null && (
            <span className="text-slate-400">
              {formatBytes(sandbox.memory_bytes)}
              {sandbox.memory_limit_bytes ? ` of ${formatBytes(sandbox.memory_limit_bytes)}` : ""}
            </span>
          )}
        </div>
      </div>

      <div className="mt-3 flex flex-wrap gap-2" role="group" aria-label={`${user.username}: actions`}>
        <button type="button" className={buttonClass.secondary} disabled={action.isPending || state === "running"}
          onClick={() => run("start")}>Start sandbox</button>
        <button type="button" className={buttonClass.secondary}
          disabled={action.isPending || state === "stopped" || noSandbox} onClick={() => run("stop")}>
          Stop sandbox
        </button>
        <button type="button" className={buttonClass.secondary} disabled={action.isPending || noSandbox}
          title={noSandbox ? "There is no sandbox yet: start it" : undefined} onClick={() => run("restart")}>
          Restart sandbox
        </button>
        <button type="button" className={buttonClass.secondary} aria-expanded={panel === "name"}
          onClick={() => setPanel(panel === "name" ? "none" : "name")}>Edit name</button>
        <button type="button" className={buttonClass.secondary} aria-expanded={panel === "password"}
          onClick={() => setPanel(panel === "password" ? "none" : "password")}>Reset password</button>
        {!isMe && (
          <button type="button" className={buttonClass.danger} aria-expanded={panel === "delete"}
            onClick={() => setPanel(panel === "delete" ? "none" : "delete")}>Delete user</button>
        )}
      </div>
      {action.isPending && <p role="status" className="mt-2 text-sm text-slate-400">Working on the sandbox…</p>}
      {action.isError && <div className="mt-2"><FormError message={action.error.message} /></div>}
      {panel === "name" && <EditName user={user} onDone={() => setPanel("none")} />}
      {panel === "password" && <ResetPassword user={user} onDone={() => setPanel("none")} />}
      {panel === "delete" && <DeleteUser user={user} onCancel={() => setPanel("none")} />}
    </li>
  );
}

function EditName({ user, onDone }: { user: AdminUser; onDone: () => void }) {
  const [name, setName] = useState(user.display_name);
  const [saved, setSaved] = useState<string | null>(null);
  const update = useSetDisplayName();
  const { errors, formRef } = useFormErrors(update.error);
  return (
    <form ref={formRef} noValidate className="mt-3 space-y-2 border-t border-slate-800 pt-3"
      onSubmit={(e) => {
        e.preventDefault();
        setSaved(null);
        update.mutate({ userId: user.id, displayName: name.trim() }, {
          onSuccess: (changed) => {
            setName(changed.display_name);
            setSaved(changed.display_name ? `Saved: ${changed.display_name}.` : `Name cleared; ${user.username} is shown.`);
          },
        });
      }}>
      <TextInput label={`Name for ${user.username}`} name="display_name" value={name} autoComplete="off"
        onChange={(e) => setName(e.target.value)} error={errors.fields.display_name} limit={limits.UserUpdate.display_name}
        hint="Shown wherever this person is named; they still sign in with their username. Leave empty to show the username." />
      <FormError message={errors.message} />
      <div className="flex flex-wrap items-center gap-2">
        <button type="submit" className={buttonClass.primary} disabled={update.isPending}>Save name</button>
        <button type="button" className={buttonClass.secondary} onClick={onDone}>Close</button>
        <Saved message={saved} />
      </div>
    </form>
  );
}

function ResetPassword({ user, onDone }: { user: AdminUser; onDone: () => void }) {
  const [password, setPassword] = useState("");
  const [saved, setSaved] = useState<string | null>(null);
  const reset = useResetPassword();
  const { errors, formRef } = useFormErrors(reset.error);
  return (
    <form ref={formRef} noValidate className="mt-3 space-y-2 border-t border-slate-800 pt-3"
      onSubmit={(e) => {
        e.preventDefault();
        reset.mutate({ userId: user.id, password }, {
          onSuccess: () => {
            setPassword("");
            setSaved(`${user.username}'s password was changed; their open sessions were signed out.`);
          },
        });
      }}>
      <TextInput label={`New password for ${user.username}`} name="password" type="password" autoComplete="new-password" value={password}
        onChange={(e) => setPassword(e.target.value)} error={errors.fields.password} limit={limits.UserUpdate.password} />
      <FormError message={errors.message} />
      <div className="flex flex-wrap items-center gap-2">
        <button type="submit" className={buttonClass.primary} disabled={reset.isPending || !password}>Set password</button>
        <button type="button" className={buttonClass.secondary} onClick={onDone}>Close</button>
        <Saved message={saved} />
      </div>
    </form>
  );
}

function DeleteUser({ user, onCancel }: { user: AdminUser; onCancel: () => void }) {
  const [typed, setTyped] = useState("");
  const remove = useDeleteUser();
  const id = `confirm-delete-${user.id}`;
  return (
    <div role="alertdialog" aria-labelledby={`${id}-h`} className="mt-3 space-y-2 rounded-lg border border-red-800 p-3">
      <p id={`${id}-h`} className="text-sm">
        Deleting <strong>{user.username}</strong> removes their sandbox, agents, projects and files for good.
      </p>
      <label htmlFor={id} className="block text-sm font-medium">Type {user.username} to confirm</label>
      <input id={id} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" autoCapitalize="none"
        className={inputClass} />
      <FormError message={remove.error?.message} />
      <div className="flex flex-wrap gap-2">
        <button type="button" className={buttonClass.danger} disabled={typed !== user.username || remove.isPending}
          onClick={() => remove.mutate(user.id)}>
          {remove.isPending ? "Deleting…" : `Delete ${user.username}`}
        </button>
        <button type="button" className={buttonClass.secondary} onClick={onCancel}>Cancel</button>
      </div>
    </div>
  );
}

function CreateUser() {
  const [username, setUsername] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState<"user" | "admin">("user");
  const [saved, setSaved] = useState<string | null>(null);
  const create = useCreateUser();
  const { errors, formRef } = useFormErrors(create.error, "username"); // a 409: someone has this username

  function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(null);
    create.mutate({ username: username.trim(), password, role, display_name: displayName.trim() }, {
      onSuccess: (user) => {
        setUsername("");
        setDisplayName("");
        setPassword("");
        setSaved(`Created ${user.username}${user.display_name ? ` (${user.display_name})` : ""}.`);
      },
    });
  }

  return (
    <section aria-labelledby="create-h" className="rounded-xl border border-slate-800 bg-slate-900/60 p-4">
      <h2 id="create-h" className="mb-3 font-semibold">Create user</h2>
      <form ref={formRef} onSubmit={submit} noValidate className="space-y-3">
        <div className="grid gap-3 sm:grid-cols-2">
          <TextInput label="New username" name="username" value={username} onChange={(e) => setUsername(e.target.value)}
            error={errors.fields.username} autoCapitalize="none" autoComplete="off" spellCheck={false}
            hint="What they sign in with." limit={limits.UserCreate.username} />
          <TextInput label="Name (optional)" name="display_name" value={displayName} onChange={(e) => setDisplayName(e.target.value)}
            error={errors.fields.display_name} autoComplete="off" placeholder="Lucie Nováková"
            hint="How they are named here." limit={limits.UserCreate.display_name} />
          <TextInput label="New password" name="password" type="password" autoComplete="new-password" value={password}
            onChange={(e) => setPassword(e.target.value)} error={errors.fields.password} limit={limits.UserCreate.password} />
          <div className="space-y-1">
            <label htmlFor="new-role" className="block text-sm font-medium">Role</label>
            <select id="new-role" name="role" value={role} onChange={(e) => setRole(e.target.value as "user" | "admin")} className={inputClass}>
              <option value="user">User</option>
              <option value="admin">Administrator</option>
            </select>
          </div>
        </div>
        <FormError message={errors.message} />
        <div className="flex flex-wrap items-center gap-3">
          <button type="submit" className={buttonClass.primary} disabled={create.isPending || !username.trim() || !password}>
            {create.isPending ? "Creating…" : "Create user"}
          </button>
          <Saved message={saved} />
        </div>
      </form>
    </section>
  );
}
