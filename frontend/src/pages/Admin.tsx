// The Admin Panel: every account with its name, role, agent count and workspace (the plain word for their
// sandbox, the technical name in the section's hint); create accounts, set display names, reset passwords,
// delete accounts (typed confirmation), start/stop/restart workspaces. Each field shows the server's rule
// for it (api/limits) before anything is typed.
import { useState, type FormEvent } from "react";
import { Trans, useTranslation } from "react-i18next";
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
  const { t } = useTranslation();
  if (me.isPending) return <Loading />;
  if (me.isError) return <ErrorNote error={me.error} />;
  if (me.data.role !== "admin") {
    return (
      <div>
        <PageTitle>{t("admin.notAllowed")}</PageTitle>
        <Empty>{t("admin.onlyAdmins")}</Empty>
      </div>
    );
  }
  return (
    <div className="space-y-6">
      <PageTitle>{t("admin.title")}</PageTitle>
      <Users myId={me.data.id} />
      <CreateUser />
    </div>
  );
}

function Users({ myId }: { myId: number }) {
  const users = useUsers();
  const sandboxes = useAdminSandboxes();
  const byUser = new Map((sandboxes.data ?? []).map((s) => [s.user_id, s]));
  const { t } = useTranslation();
  return (
    <section aria-labelledby="users-h" aria-describedby="users-about" className="space-y-3">
      <div>
        <h2 id="users-h" className="font-semibold">{t("admin.users")}</h2>
        <p id="users-about" className="text-sm text-slate-400">{t("admin.workspaceHint")}</p>
      </div>
      {users.isPending && <Loading label={t("admin.loadingUsers")} />}
      {users.isError && <ErrorNote error={users.error} onRetry={() => void users.refetch()} />}
      {sandboxes.isError && <ErrorNote error={sandboxes.error} onRetry={() => void sandboxes.refetch()} />}
      {users.data && (
        <ul className="space-y-3" aria-label={t("admin.accounts")}>
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
  const { t } = useTranslation();

  return (
    <li aria-label={user.username} className="rounded-xl border border-slate-800 bg-slate-900/60 p-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <p className="font-medium">
            {user.display_name || user.username} {isMe && <span className="text-sm text-slate-400">{t("admin.you")}</span>}
          </p>
          {user.display_name && <p className="text-sm text-slate-400">{t("admin.username", { username: user.username })}</p>}
          <p className="text-sm text-slate-400">
            {user.role === "admin" ? t("admin.role.admin") : t("admin.role.user")} · {t("admin.agentCount", { count: user.agent_count })}
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <span className="text-slate-400">{t("admin.workspace")}</span>
          {sandboxesLoading ? <span className="text-slate-400">…</span> : <StateBadge state={state ?? "unknown"} />}
          {sandbox?.memory_bytes != null && (
            <span className="text-slate-400">
              {sandbox.memory_limit_bytes
                ? t("admin.memory", { used: formatBytes(sandbox.memory_bytes), limit: formatBytes(sandbox.memory_limit_bytes) })
                : formatBytes(sandbox.memory_bytes)}
            </span>
          )}
        </div>
      </div>

      <div className="mt-3 flex flex-wrap gap-2" role="group" aria-label={t("admin.actions", { username: user.username })}>
        <button type="button" className={buttonClass.secondary} disabled={action.isPending || state === "running"}
          onClick={() => run("start")}>{t("admin.start")}</button>
        <button type="button" className={buttonClass.secondary}
          disabled={action.isPending || state === "stopped" || noSandbox} onClick={() => run("stop")}>
          {t("admin.stop")}
        </button>
        <button type="button" className={buttonClass.secondary} disabled={action.isPending || noSandbox}
          title={noSandbox ? t("admin.noWorkspaceYet") : undefined} onClick={() => run("restart")}>
          {t("admin.restart")}
        </button>
        <button type="button" className={buttonClass.secondary} aria-expanded={panel === "name"}
          onClick={() => setPanel(panel === "name" ? "none" : "name")}>{t("admin.editName")}</button>
        <button type="button" className={buttonClass.secondary} aria-expanded={panel === "password"}
          onClick={() => setPanel(panel === "password" ? "none" : "password")}>{t("admin.resetPassword")}</button>
        {!isMe && (
          <button type="button" className={buttonClass.danger} aria-expanded={panel === "delete"}
            onClick={() => setPanel(panel === "delete" ? "none" : "delete")}>{t("admin.deleteUser")}</button>
        )}
      </div>
      {action.isPending && <p role="status" className="mt-2 text-sm text-slate-400">{t("admin.working")}</p>}
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
  const { t } = useTranslation();
  return (
    <form ref={formRef} noValidate className="mt-3 space-y-2 border-t border-slate-800 pt-3"
      onSubmit={(e) => {
        e.preventDefault();
        setSaved(null);
        update.mutate({ userId: user.id, displayName: name.trim() }, {
          onSuccess: (changed) => {
            setName(changed.display_name);
            setSaved(changed.display_name
              ? t("admin.name.saved", { name: changed.display_name })
              : t("admin.name.cleared", { username: user.username }));
          },
        });
      }}>
      <TextInput label={t("admin.name.label", { username: user.username })} name="display_name" value={name} autoComplete="off"
        onChange={(e) => setName(e.target.value)} error={errors.fields.display_name} limit={limits.UserUpdate.display_name}
        hint={t("admin.name.hint")} />
      <FormError message={errors.message} />
      <div className="flex flex-wrap items-center gap-2">
        <button type="submit" className={buttonClass.primary} disabled={update.isPending}>{t("admin.name.save")}</button>
        <button type="button" className={buttonClass.secondary} onClick={onDone}>{t("admin.close")}</button>
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
  const { t } = useTranslation();
  return (
    <form ref={formRef} noValidate className="mt-3 space-y-2 border-t border-slate-800 pt-3"
      onSubmit={(e) => {
        e.preventDefault();
        reset.mutate({ userId: user.id, password }, {
          onSuccess: () => {
            setPassword("");
            setSaved(t("admin.password.changed", { username: user.username }));
          },
        });
      }}>
      <TextInput label={t("admin.password.label", { username: user.username })} name="password" type="password" autoComplete="new-password" value={password}
        onChange={(e) => setPassword(e.target.value)} error={errors.fields.password} limit={limits.UserUpdate.password} />
      <FormError message={errors.message} />
      <div className="flex flex-wrap items-center gap-2">
        <button type="submit" className={buttonClass.primary} disabled={reset.isPending || !password}>{t("admin.password.set")}</button>
        <button type="button" className={buttonClass.secondary} onClick={onDone}>{t("admin.close")}</button>
        <Saved message={saved} />
      </div>
    </form>
  );
}

function DeleteUser({ user, onCancel }: { user: AdminUser; onCancel: () => void }) {
  const [typed, setTyped] = useState("");
  const remove = useDeleteUser();
  const id = `confirm-delete-${user.id}`;
  const { t } = useTranslation();
  return (
    <div role="alertdialog" aria-labelledby={`${id}-h`} className="mt-3 space-y-2 rounded-lg border border-red-800 p-3">
      <p id={`${id}-h`} className="text-sm">
        <Trans i18nKey="admin.delete.warning" values={{ username: user.username }} components={{ strong: <strong /> }} />
      </p>
      <label htmlFor={id} className="block text-sm font-medium">{t("admin.delete.typeToConfirm", { username: user.username })}</label>
      <input id={id} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" autoCapitalize="none"
        className={inputClass} />
      <FormError message={remove.error?.message} />
      <div className="flex flex-wrap gap-2">
        <button type="button" className={buttonClass.danger} disabled={typed !== user.username || remove.isPending}
          onClick={() => remove.mutate(user.id)}>
          {remove.isPending ? t("admin.delete.deleting") : t("admin.delete.confirm", { username: user.username })}
        </button>
        <button type="button" className={buttonClass.secondary} onClick={onCancel}>{t("admin.cancel")}</button>
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
  const { t } = useTranslation();

  function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(null);
    create.mutate({ username: username.trim(), password, role, display_name: displayName.trim() }, {
      onSuccess: (user) => {
        setUsername("");
        setDisplayName("");
        setPassword("");
        setSaved(user.display_name
          ? t("admin.create.createdNamed", { username: user.username, name: user.display_name })
          : t("admin.create.created", { username: user.username }));
      },
    });
  }

  return (
    <section aria-labelledby="create-h" className="rounded-xl border border-slate-800 bg-slate-900/60 p-4">
      <h2 id="create-h" className="mb-3 font-semibold">{t("admin.create.title")}</h2>
      <form ref={formRef} onSubmit={submit} noValidate className="space-y-3">
        <div className="grid gap-3 sm:grid-cols-2">
          <TextInput label={t("admin.create.username")} name="username" value={username} onChange={(e) => setUsername(e.target.value)}
            error={errors.fields.username} autoCapitalize="none" autoComplete="off" spellCheck={false}
            hint={t("admin.create.usernameHint")} limit={limits.UserCreate.username} />
          <TextInput label={t("admin.create.name")} name="display_name" value={displayName} onChange={(e) => setDisplayName(e.target.value)}
            error={errors.fields.display_name} autoComplete="off" placeholder="Lucie Nováková"
            hint={t("admin.create.nameHint")} limit={limits.UserCreate.display_name} />
          <TextInput label={t("admin.create.password")} name="password" type="password" autoComplete="new-password" value={password}
            onChange={(e) => setPassword(e.target.value)} error={errors.fields.password} limit={limits.UserCreate.password} />
          <div className="space-y-1">
            <label htmlFor="new-role" className="block text-sm font-medium">{t("admin.create.role")}</label>
            <select id="new-role" name="role" value={role} onChange={(e) => setRole(e.target.value as "user" | "admin")} className={inputClass}>
              <option value="user">{t("admin.role.user")}</option>
              <option value="admin">{t("admin.role.admin")}</option>
            </select>
          </div>
        </div>
        <FormError message={errors.message} />
        <div className="flex flex-wrap items-center gap-3">
          <button type="submit" className={buttonClass.primary} disabled={create.isPending || !username.trim() || !password}>
            {create.isPending ? t("admin.create.creating") : t("admin.create.submit")}
          </button>
          <Saved message={saved} />
        </div>
      </form>
    </section>
  );
}
