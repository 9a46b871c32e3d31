// The composer's rules, checked before anything is sent (the server checks them again and says the same under the
// same fields): Instagram's caption limit (2,200 characters) and hashtag limit (30, counted as the server counts
// them: every "#"), a picture or video for Instagram, one for a story, at most ten in a carousel, at least one
// account, and a scheduled time in the future. Messages are in the person's language, by field of the request.
import { i18n } from "../i18n";
import type { Media, Platform, PostCreate } from "./api";

export const CAPTION_MAX = 2200;
export const HASHTAGS_MAX = 30;
export const CAROUSEL_MAX = 10;

export type Where = "instagram" | "facebook" | "both";
export type When = "now" | "later";
export type Kind = PostCreate["kind"];

export interface ComposerState {
  text: string;
  kind: NonNullable<Kind>;
  media: Pick<Media, "id" | "kind">[];
  /** The chosen accounts' platforms, one entry per account. */
  platforms: Platform[];
  accountIds: number[];
  when: When;
  /** The datetime-local input's value ("2025-06-02T14:30"), in the person's time zone. */
  at: string;
}

export type ComposerField = "text" | "media_ids" | "account_ids" | "scheduled_at";
export type ComposerErrors = Partial<Record<ComposerField, string>>;

/** Hashtags as Instagram counts them against its limit (and as the server does): each "#". */
export function hashtagCount(text: string): number {
  return (text.match(/#/g) ?? []).length;
}

/** The characters of a caption as Instagram counts them (code points: an emoji is one). */
export function captionLength(text: string): number {
  return [...text].length;
}

/** The platforms a "where" choice posts to. */
export function platformsOf(where: Where): Platform[] {
  return where === "both" ? ["instagram", "facebook"] : [where];
}

/** The aware ISO time of a datetime-local value (read in the browser's time zone); null when it is not a time. */
export function scheduledIso(local: string): string | null {
  if (!local) return null;
  const moment = new Date(local);
  return Number.isNaN(moment.getTime()) ? null : moment.toISOString();
}

export function composerErrors(state: ComposerState, now: Date = new Date()): ComposerErrors {
  const t = i18n.t;
  const errors: ComposerErrors = {};
  const instagram = state.platforms.includes("instagram");
  const facebook = state.platforms.includes("facebook");
  const videos = state.media.filter((item) => item.kind === "video").length;
  if (state.accountIds.length === 0) errors.account_ids = t("social.composer.rules.noAccount");
  if (captionLength(state.text) > CAPTION_MAX) errors.text = t("social.composer.rules.tooLong", { max: CAPTION_MAX.toLocaleString(i18n.language) });
  else if (instagram && hashtagCount(state.text) > HASHTAGS_MAX) errors.text = t("social.composer.rules.tooManyHashtags", { max: HASHTAGS_MAX });
  if (state.kind === "story" && state.media.length !== 1) errors.media_ids = t("social.composer.rules.storyOne");
  else if (state.media.length > CAROUSEL_MAX) errors.media_ids = t("social.composer.rules.tooMany", { max: CAROUSEL_MAX });
  else if (instagram && state.media.length === 0) errors.media_ids = t("social.composer.rules.instagramNeedsMedia");
  else if (facebook && state.media.length > 1 && videos > 0) errors.media_ids = t("social.composer.rules.facebookMix");
  if (!errors.text && !errors.media_ids && state.media.length === 0 && !state.text.trim()) errors.text = t("social.composer.rules.empty");
  if (state.when === "later") {
    const iso = scheduledIso(state.at);
    if (!iso) errors.scheduled_at = t("social.composer.rules.pickTime");
    else if (new Date(iso).getTime() <= now.getTime()) errors.scheduled_at = t("social.composer.rules.future");
  }
  return errors;
}

/** The request for the state (valid per composerErrors). */
export function postBody(agentId: number, state: ComposerState): PostCreate {
  return {
    agent_id: agentId,
    kind: state.kind,
    text: state.text,
    media_ids: state.media.map((item) => item.id),
    account_ids: state.accountIds,
    scheduled_at: state.when === "later" ? scheduledIso(state.at) : null,
  };
}
