// New Post: the words and a picture, a video or several pictures (a carousel), where it goes (Instagram only,
// Facebook only or both: the agent's connected accounts of those platforms), a post or a story, now or at a time;
// a preview for each target (an Instagram-like square card, a Facebook-like card), Instagram's daily limit, the
// caption's and hashtags' counters. Sent, each target's state shows live (PostProgress). A draft from the AI
// Assistant ("Use in New Post") fills the words when the composer opens, still editable.
import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../api/errors";
import { formErrors } from "../api/formErrors";
import { limits } from "../api/limits";
import { buttonClass, Field, FormError, inputClass, TextArea, useFocusFirstError } from "../components/Form";
import { Empty, ErrorNote, Loading } from "../components/States";
import { captionOf, takeComposerDraft } from "./draft";
import {
  deleteMedia, mediaBlobUrl, uploadMedia, useAccounts, useCreatePost, useQuota,
  type Account, type Media, type Platform,
} from "./api";
import {
  CAPTION_MAX, captionLength, CAROUSEL_MAX, composerErrors, hashtagCount, HASHTAGS_MAX, platformsOf, postBody,
  type ComposerErrors, type ComposerState, type Where, type When,
} from "./composerRules";
import { useGoTo } from "./nav";
import { PlatformName } from "./parts";
import { PostProgress } from "./PostProgress";
import { ProblemNote, problemOf } from "./problems";
import { accountStatusView, StatusBadge } from "./status";

interface Uploaded {
  media: Media;
  url: string | null;
}

export function Composer({ agentId }: { agentId: number }) {
  const { t } = useTranslation();
  const accounts = useAccounts(agentId);
  const goTo = useGoTo();
  const [sent, setSent] = useState<number | null>(null);
  const [round, setRound] = useState(0);
  if (accounts.isPending) return <Loading label={t("social.composer.loading")} />;
  if (accounts.isError) return <ErrorNote error={accounts.error} onRetry={() => void accounts.refetch()} />;
  if (accounts.data.length === 0) {
    return (
      <Empty>
        {t("social.composer.noAccounts")}{" "}
        <button type="button" className="text-sky-300 underline" onClick={() => goTo("accounts")}>{t("social.composer.toAccounts")}</button>
      </Empty>
    );
  }
  return (
    <div className="space-y-4">
      {sent !== null && (
        <>
          <PostProgress postId={sent} agentId={agentId} />
          <button type="button" className={buttonClass.secondary} onClick={() => { setSent(null); setRound((n) => n + 1); }}>
            {t("social.composer.another")}
          </button>
        </>
      )}
      {sent === null && <ComposerForm key={round} agentId={agentId} accounts={accounts.data} onSent={setSent} />}
    </div>
  );
}

function defaultWhere(accounts: Account[]): Where {
  const has = (platform: Platform) => accounts.some((account) => account.platform === platform);
  return has("instagram") && has("facebook") ? "both" : has("instagram") ? "instagram" : "facebook";
}

const usable = (account: Account) => account.status !== "reconnect";

function ComposerForm({ agentId, accounts, onSent }: { agentId: number; accounts: Account[]; onSent: (postId: number) => void }) {
  const { t, i18n } = useTranslation();
  const ids = useId();
  const [text, setText] = useState("");
  const [kind, setKind] = useState<ComposerState["kind"]>("post");
  const [where, setWhere] = useState<Where>(() => defaultWhere(accounts));
  const [chosen, setChosen] = useState<Set<number>>(() => new Set(accounts.filter(usable).map((account) => account.id)));
  const [when, setWhen] = useState<When>("now");
  const [at, setAt] = useState("");
  const [uploads, setUploads] = useState<Uploaded[]>([]);
  const [uploading, setUploading] = useState(0);
  const [uploadError, setUploadError] = useState<unknown>(null);
  const [checked, setChecked] = useState<ComposerErrors | null>(null);
  const create = useCreatePost(agentId);
  const formRef = useRef<HTMLFormElement>(null);
  const urls = useRef(new Set<string>());

  // A draft the AI Assistant handed over: taken once (an effect, so Strict Mode's second run finds none).
  useEffect(() => {
    const draft = takeComposerDraft(agentId);
    if (draft) setText(captionOf(draft));
  }, [agentId]);
  useEffect(() => {
    const made = urls.current;
    return () => made.forEach((url) => URL.revokeObjectURL(url));
  }, []);

  const platforms = platformsOf(where);
  const offered = accounts.filter((account) => platforms.includes(account.platform));
  const targets = offered.filter((account) => chosen.has(account.id) && usable(account));
  const state: ComposerState = {
    text, kind, when, at,
    media: uploads.map((item) => item.media),
    platforms: targets.map((account) => account.platform),
    accountIds: targets.map((account) => account.id),
  };
  const server = formErrors(create.error);
  const shown: ComposerErrors & { file?: string } = { ...server.fields, ...(checked ?? {}) };
  const uploadMessage = uploadError instanceof ApiError && uploadError.status === 422
    ? (uploadError.fields.file ?? uploadError.message)
    : uploadError instanceof Error ? uploadError.message : null;
  const focusKey = useMemo(() => ({ ...shown }), [checked, server.fields]);
  useFocusFirstError(focusKey, formRef);
  const has = (platform: Platform) => accounts.some((account) => account.platform === platform);
  const problem = problemOf(create.error);

  const addFiles = async (files: FileList | null) => {
    if (!files || files.length === 0) return;
    setUploadError(null);
    for (const file of Array.from(files)) {
      setUploading((n) => n + 1);
      try {
        const media = await uploadMedia(file);
        let url: string | null = null;
        try {
          url = await mediaBlobUrl(media.id);
          urls.current.add(url);
        } catch {
          url = null; // the preview is missing; the upload is there
        }
        setUploads((old) => [...old, { media, url }]);
      } catch (error) {
        setUploadError(error);
      } finally {
        setUploading((n) => n - 1);
      }
    }
  };
  const remove = (item: Uploaded) => {
    setUploads((old) => old.filter((other) => other.media.id !== item.media.id));
    if (item.url) URL.revokeObjectURL(item.url);
    void deleteMedia(item.media.id).catch(() => undefined);
  };
  const choose = (value: Where) => {
    setWhere(value);
    setChosen(new Set(accounts.filter((account) => platformsOf(value).includes(account.platform) && usable(account)).map((account) => account.id)));
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const errors = composerErrors(state);
    setChecked(Object.keys(errors).length ? errors : null);
    if (Object.keys(errors).length || uploading > 0) return;
    create.mutate(postBody(agentId, state), { onSuccess: (post) => onSent(post.id) });
  };

  const chars = captionLength(text);
  const tags = hashtagCount(text);
  const number = (n: number) => n.toLocaleString(i18n.language);
  const counter = (
    <span className="flex flex-wrap gap-x-3" data-counters>
      <span className={chars > CAPTION_MAX ? "text-red-300" : undefined}>
        {t("social.composer.chars", { shown: number(chars), max: number(CAPTION_MAX) })}
      </span>
      <span className={tags > HASHTAGS_MAX ? "text-red-300" : undefined}>
        {t("social.composer.hashtags", { tags, max: HASHTAGS_MAX })}
      </span>
    </span>
  );
  const radioClass = (active: boolean) =>
    `flex cursor-pointer items-center gap-2 rounded-md border px-3 py-2 text-sm has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-sky-400 ${
      active ? "border-sky-500 bg-sky-950/60" : "border-slate-700"} has-[:disabled]:cursor-not-allowed has-[:disabled]:opacity-50`;
  const errorLine = (id: string, message: string | undefined) =>
    message ? <p id={id} className="text-sm text-red-300">{message}</p> : null;

  return (
    <form ref={formRef} onSubmit={submit} noValidate className="space-y-5" aria-label={t("social.composer.heading")}>
      <h2 className="text-lg font-semibold">{t("social.composer.heading")}</h2>

      <fieldset className="space-y-2" aria-describedby={shown.account_ids ? `${ids}-accounts-error` : undefined}>
        <legend className="mb-1 text-sm font-medium">{t("social.composer.where")}</legend>
        <div className="flex flex-wrap gap-2">
          {(["instagram", "facebook", "both"] as const).map((value) => (
            <label key={value} className={radioClass(where === value)}>
              <input type="radio" name={`${ids}-where`} value={value} checked={where === value}
                disabled={value === "both" ? !(has("instagram") && has("facebook")) : !has(value)}
                onChange={() => choose(value)} />
              {t(`social.composer.whereOption.${value}`)}
            </label>
          ))}
        </div>
        <ul className="space-y-1" aria-label={t("social.composer.accounts")}>
          {offered.map((account) => (
            <li key={account.id} className="flex flex-wrap items-center gap-2 text-sm">
              <label className="flex items-center gap-2">
                <input type="checkbox" name="account_ids" checked={chosen.has(account.id) && usable(account)} disabled={!usable(account)}
                  aria-invalid={Boolean(shown.account_ids)}
                  onChange={(event) => setChosen((old) => {
                    const next = new Set(old);
                    if (event.target.checked) next.add(account.id); else next.delete(account.id);
                    return next;
                  })} />
                <span><PlatformName platform={account.platform} />: {account.name}{account.username ? ` (@${account.username})` : ""}</span>
              </label>
              {account.status !== "connected" && <StatusBadge view={accountStatusView(account.status)} status={account.status} />}
            </li>
          ))}
        </ul>
        {errorLine(`${ids}-accounts-error`, shown.account_ids)}
      </fieldset>

      <fieldset className="space-y-2">
        <legend className="mb-1 text-sm font-medium">{t("social.composer.kind")}</legend>
        <div className="flex flex-wrap gap-2">
          {(["post", "story"] as const).map((value) => (
            <label key={value} className={radioClass(kind === value)}>
              <input type="radio" name={`${ids}-kind`} value={value} checked={kind === value} onChange={() => setKind(value)} />
              {t(`social.composer.kindOption.${value}`)}
            </label>
          ))}
        </div>
        {kind === "story" && <p className="text-xs text-slate-400">{t("social.composer.storyHint")}</p>}
      </fieldset>

      <TextArea label={t("social.composer.caption")} name="text" rows={6} value={text}
        className={`${inputClass} text-sm`} limit={limits.SocialPostCreate.text}
        hint={counter} error={shown.text} onChange={(event) => setText(event.target.value)} />

      <Field label={t("social.composer.media")} error={shown.media_ids ?? uploadMessage ?? undefined}
        hint={t("social.composer.mediaHint", { max: CAROUSEL_MAX })}>
        {({ id, describedBy, invalid }) => (
          <div className="space-y-2">
            <input id={id} name="media_ids" type="file" multiple accept="image/jpeg,image/png,image/webp,image/gif,video/mp4,video/quicktime"
              aria-describedby={describedBy} aria-invalid={invalid} disabled={uploading > 0}
              className="block w-full text-sm text-slate-300 file:mr-3 file:rounded-md file:border-0 file:bg-slate-700 file:px-3 file:py-2 file:text-slate-100"
              onChange={(event) => { void addFiles(event.target.files); event.target.value = ""; }} />
            {uploading > 0 && <p role="status" className="text-sm text-slate-300">{t("social.composer.uploading")}</p>}
            {uploads.length > 0 && (
              <ul aria-label={t("social.composer.added")} className="flex flex-wrap gap-2">
                {uploads.map((item, index) => (
                  <li key={item.media.id} className="relative">
                    <MediaView item={item} label={t("social.composer.mediaNumber", { number: index + 1, name: item.media.name })}
                      className="size-20 rounded-md object-cover" />
                    <button type="button" className="mt-1 block text-xs text-red-300 underline"
                      aria-label={t("social.composer.removeNamed", { name: item.media.name })} onClick={() => remove(item)}>
                      {t("social.composer.remove")}
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
      </Field>

      <Quotas accounts={targets.filter((account) => account.platform === "instagram")} />

      <fieldset className="space-y-2">
        <legend className="mb-1 text-sm font-medium">{t("social.composer.when")}</legend>
        <div className="flex flex-wrap gap-2">
          {(["now", "later"] as const).map((value) => (
            <label key={value} className={radioClass(when === value)}>
              <input type="radio" name={`${ids}-when`} value={value} checked={when === value} onChange={() => setWhen(value)} />
              {t(`social.composer.whenOption.${value}`)}
            </label>
          ))}
        </div>
        {when === "later" && (
          <Field label={t("social.composer.at")} error={shown.scheduled_at} hint={t("social.composer.atHint", { zone: Intl.DateTimeFormat().resolvedOptions().timeZone })}>
            {({ id, describedBy, invalid }) => (
              <input id={id} name="scheduled_at" type="datetime-local" value={at} aria-describedby={describedBy} aria-invalid={invalid}
                className={`${inputClass} max-w-xs`} onChange={(event) => setAt(event.target.value)} />
            )}
          </Field>
        )}
      </fieldset>

      <Previews accounts={targets} text={text} uploads={uploads} kind={kind} />

      {problem ? <ProblemNote problem={problem} onRetry={() => submit({ preventDefault: () => undefined } as FormEvent)} />
        : <FormError message={checked ? t("common.fixFields") : server.message} />}
      <div className="flex flex-wrap gap-2">
        <button type="submit" className={buttonClass.primary} disabled={create.isPending || uploading > 0}>
          {create.isPending ? t("social.composer.sending") : when === "now" ? t("social.composer.publishNow") : t("social.composer.schedule")}
        </button>
      </div>
    </form>
  );
}

function MediaView({ item, label, className }: { item: Uploaded; label: string; className: string }) {
  if (!item.url) return <div role="img" aria-label={label} className={`${className} bg-slate-800`} />;
  if (item.media.kind === "video") return <video src={item.url} aria-label={label} className={className} muted playsInline />;
  return <img src={item.url} alt={label} className={className} />;
}

function Quotas({ accounts }: { accounts: Account[] }) {
  if (accounts.length === 0) return null;
  return (
    <ul className="space-y-1 text-sm">
      {accounts.map((account) => <QuotaLine key={account.id} account={account} />)}
    </ul>
  );
}

function QuotaLine({ account }: { account: Account }) {
  const { t } = useTranslation();
  const quota = useQuota(account.id);
  if (!quota.data) return null;
  const left = Math.max(0, quota.data.total - quota.data.used);
  return (
    <li className={left === 0 ? "text-amber-200" : "text-slate-300"} data-quota={account.name}>
      {t("social.composer.quota", { name: account.username ?? account.name, used: quota.data.used, total: quota.data.total })}
    </li>
  );
}

/** How the post will look: an Instagram-like square card and a Facebook-like card, per target account. */
function Previews({ accounts, text, uploads, kind }: { accounts: Account[]; text: string; uploads: Uploaded[]; kind: ComposerState["kind"] }) {
  const { t } = useTranslation();
  if (accounts.length === 0) return null;
  const first = uploads[0];
  return (
    <section aria-labelledby="social-preview-h" className="space-y-2">
      <h3 id="social-preview-h" className="text-sm font-medium">{t("social.composer.preview")}</h3>
      <div className="grid gap-3 sm:grid-cols-2">
        {accounts.map((account) => account.platform === "instagram" ? (
          <article key={account.id} aria-label={t("social.composer.previewOn", { platform: t("social.platform.instagram"), name: account.username ?? account.name })}
            data-preview="instagram" className="overflow-hidden rounded-lg border border-slate-700 bg-white text-slate-900">
            <header className="flex items-center gap-2 px-3 py-2 text-sm font-semibold">
              <span aria-hidden className="size-7 rounded-full bg-gradient-to-tr from-amber-400 via-pink-500 to-purple-600" />
              {account.username ?? account.name}
            </header>
            <div className={`relative w-full bg-slate-200 ${kind === "story" ? "aspect-[9/16] max-h-96" : "aspect-square"}`}>
              {first ? <MediaView item={first} label={t("social.composer.previewPicture")} className="absolute inset-0 size-full object-cover" />
                : <p className="absolute inset-0 grid place-items-center p-4 text-center text-xs text-slate-600">{t("social.composer.previewNoPicture")}</p>}
              {uploads.length > 1 && (
                <span className="absolute right-2 top-2 rounded-full bg-slate-900/70 px-2 py-0.5 text-xs text-white">1/{uploads.length}</span>
              )}
            </div>
            {kind === "post" && text && (
              <p className="line-clamp-4 whitespace-pre-wrap break-words px-3 py-2 text-sm">
                <strong>{account.username ?? account.name}</strong> {text}
              </p>
            )}
          </article>
        ) : (
          <article key={account.id} aria-label={t("social.composer.previewOn", { platform: t("social.platform.facebook"), name: account.name })}
            data-preview="facebook" className="overflow-hidden rounded-lg border border-slate-700 bg-white text-slate-900">
            <header className="flex items-center gap-2 px-3 py-2">
              <span aria-hidden className="size-8 rounded-full bg-blue-600" />
              <span className="text-sm font-semibold">{account.name}</span>
            </header>
            {kind === "post" && text && <p className="whitespace-pre-wrap break-words px-3 pb-2 text-sm">{text}</p>}
            {first && (
              <div className="grid grid-cols-2 gap-0.5">
                {uploads.slice(0, 4).map((item, index) => (
                  <MediaView key={item.media.id} item={item} label={t("social.composer.previewPicture")}
                    className={`w-full object-cover ${uploads.length === 1 ? "col-span-2 max-h-80" : "aspect-square"} ${index === 0 && uploads.length === 3 ? "col-span-2" : ""}`} />
                ))}
              </div>
            )}
          </article>
        ))}
      </div>
    </section>
  );
}
