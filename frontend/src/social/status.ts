// The one vocabulary of the social media manager's statuses: an account's (connected, expiring, reconnect), a
// post's (scheduled … cancelled) and each target's (one account's side of a post: waiting … published), each
// with its words (social.status.*), a hint in plain words where the word alone says too little, and its badge's
// colours. Every page that shows a status shows it through here, so the same state always reads the same.
import { createElement } from "react";
import { i18n } from "../i18n";
import type { Account, Post, Target } from "./api";

export type AccountStatus = Account["status"];
export type PostStatus = Post["status"];
export type TargetState = Target["state"];
export type Tone = "good" | "busy" | "warn" | "bad" | "quiet";

export interface StatusView {
  /** The word(s) on the badge. */
  label: string;
  /** What it means and what happens next, in plain words (may be empty). */
  hint: string;
  tone: Tone;
}

const TONE_CLASS: Record<Tone, string> = {
  good: "bg-emerald-900 text-emerald-100",
  busy: "bg-sky-900 text-sky-100",
  warn: "bg-amber-900 text-amber-100",
  bad: "bg-red-900 text-red-100",
  quiet: "bg-slate-800 text-slate-200",
};

const ACCOUNT_TONE: Record<AccountStatus, Tone> = { connected: "good", expiring: "warn", reconnect: "bad" };
const POST_TONE: Record<PostStatus, Tone> = {
  scheduled: "busy",
  publishing: "busy",
  published: "good",
  partly_published: "warn",
  failed: "bad",
  cancelled: "quiet",
};
const TARGET_TONE: Record<TargetState, Tone> = {
  waiting: "quiet",
  preparing: "busy",
  processing: "busy",
  publishing: "busy",
  published: "good",
  failed: "bad",
  cancelled: "quiet",
};

/** The states in which a target is still on its way (the composer keeps asking while any target is in one). */
export const ACTIVE_TARGET_STATES: readonly TargetState[] = ["waiting", "preparing", "processing", "publishing"];

export function isActiveTarget(state: TargetState): boolean {
  return ACTIVE_TARGET_STATES.includes(state);
}

function known<T extends string>(tones: Record<T, Tone>, value: string): value is T {
  return Object.prototype.hasOwnProperty.call(tones, value);
}

export function accountStatusView(status: string): StatusView {
  if (!known(ACCOUNT_TONE, status)) return { label: status, hint: "", tone: "quiet" };
  return {
    label: i18n.t(`social.status.account.${status}`),
    hint: status === "connected" ? "" : i18n.t(`social.status.accountHint.${status}`),
    tone: ACCOUNT_TONE[status],
  };
}

export function postStatusView(status: string): StatusView {
  if (!known(POST_TONE, status)) return { label: status, hint: "", tone: "quiet" };
  return { label: i18n.t(`social.status.post.${status}`), hint: "", tone: POST_TONE[status] };
}

/** A target's state; a failed one's reason is its error, said beside it. */
export function targetStateView(state: string): StatusView {
  if (!known(TARGET_TONE, state)) return { label: state, hint: "", tone: "quiet" };
  return {
    label: i18n.t(`social.status.target.${state}`),
    hint: state === "published" || state === "failed" ? "" : i18n.t(`social.status.targetHint.${state}`),
    tone: TARGET_TONE[state],
  };
}

export function badgeClass(tone: Tone): string {
  return `inline-block whitespace-nowrap rounded-full px-2.5 py-0.5 text-xs font-medium ${TONE_CLASS[tone]}`;
}

/** A status as a coloured badge with its word (never colour alone); `data-status` names the state for tests. */
export function StatusBadge({ view, status }: { view: StatusView; status: string }) {
  return createElement("span", { className: badgeClass(view.tone), "data-status": status, title: view.hint || undefined }, view.label);
}
