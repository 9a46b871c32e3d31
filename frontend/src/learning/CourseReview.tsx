// Review mode: the cards due now, one at a time. The student types an answer and presses Check: it goes to
// the tutor as a chat message carrying the card, the tutor's feedback streams in here (the chat's reply to
// that message), and its grade shows in plain words with when the card comes back; then Next. "I knew it" /
// "I didn't" rate a card without the tutor. With nothing due, it says when the next card is.
import { useCallback, useEffect, useReducer, useState, type FormEvent } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import type { LiveChat } from "../chat/useChat";
import { formErrors } from "../api/formErrors";
import { i18n } from "../i18n";
import { Markdown } from "../chat/Markdown";
import { buttonClass, FormError, inputClass, TextArea } from "../components/Form";
import { Empty, ErrorNote, Loading } from "../components/States";
import { answerCard, fetchCard, learningKeys, sendCourseMessage, useReview, type ReviewCard } from "./api";
import { advance, currentCard, DIDNT_KNOW, isRating, KNEW_IT, roundOver, startRound, type Rating, type Round, type RoundEvent } from "./reviewRound";
import { whenDue } from "./when";

type Action = { kind: "start"; cards: readonly ReviewCard[] } | { kind: "event"; event: RoundEvent };

function reduce(round: Round<ReviewCard> | null, action: Action): Round<ReviewCard> | null {
  if (action.kind === "start") return startRound(action.cards);
  return round && advance(round, action.event);
}

const GRADE_WAITS_MS = [300, 600, 1200, 2400];

/**
 * The card once the tutor's grade has rescheduled it (its review count grew), or null when no grade came: the
 * grade is stored as the tutor's tool reports it, which may land a moment after its reply, so a few short
 * waits are allowed before the student is asked to rate it themselves.
 */
async function gradedCard(courseId: number, card: ReviewCard, wanted: () => boolean): Promise<ReviewCard | null> {
  for (const wait of [0, ...GRADE_WAITS_MS]) {
    if (wait) await new Promise((resolve) => setTimeout(resolve, wait));
    if (!wanted()) return null;
    try {
      const after = await fetchCard(courseId, card.id);
      if (after.reviews > card.reviews) return after;
    } catch {
      return null;
    }
  }
  return null;
}


export function CourseReview({ courseId, chat }: { courseId: number; chat: LiveChat }) {
  const { t } = useTranslation();
  const review = useReview(courseId);
  const [round, dispatch] = useReducer(reduce, null);
  const client = useQueryClient();
  const onEvent = useCallback(
    (event: RoundEvent) => {
      dispatch({ kind: "event", event });
      if (event.type !== "graded" && event.type !== "selfRated") return;
      // The card was rescheduled: the due counts everywhere change (the round keeps its own cards).
      void client.invalidateQueries({ queryKey: learningKeys.review(courseId) });
      void client.invalidateQueries({ queryKey: ["learning", "subjects"] });
      void client.invalidateQueries({ queryKey: learningKeys.due });
    },
    [client, courseId],
  );

  const nextDue = review.data?.next_due ?? null; // when the next card comes due, when none is due now
  // The round begins with the cards due when the page has them, and again when the person asks for more.
  const cards = review.data?.cards;
  useEffect(() => {
    if (cards && round === null && cards.length > 0) dispatch({ kind: "start", cards });
  }, [cards, round]);

  return (
    <section aria-labelledby={`review-h-${courseId}`} className="space-y-3">
      <h2 id={`review-h-${courseId}`} className="font-semibold">{t("learning.review.heading")}</h2>
      <p className="text-sm text-slate-400">{t("learning.review.about")}</p>
      {review.isPending && <Loading label={t("learning.review.loading")} />}
      {review.isError && <ErrorNote error={review.error} onRetry={() => void review.refetch()} />}
      {review.data && round === null && <NothingDue nextDue={nextDue} />}
      {round && !roundOver(round) && (
        <CardView key={currentCard(round)?.id} courseId={courseId} round={round} chat={chat} onEvent={onEvent} />
      )}
      {round && roundOver(round) && (
        <div className="space-y-2">
          <p role="status" className="rounded-lg border border-emerald-800 bg-emerald-950/40 p-3 text-emerald-100">{t("learning.review.allDone")}</p>
          {(review.data?.cards.length ?? 0) > 0 ? (
            <button type="button" className={buttonClass.primary}
              onClick={() => review.data && dispatch({ kind: "start", cards: review.data.cards })}>
              {t("learning.review.more")}
            </button>
          ) : (
            nextDue && <NothingDue nextDue={nextDue} />
          )}
        </div>
      )}
    </section>
  );
}

function NothingDue({ nextDue }: { nextDue: string | null }) {
  const { t } = useTranslation();
  return <Empty>{nextDue ? t("learning.review.nothingDue", { when: whenDue(nextDue) }) : t("learning.review.nothingYet")}</Empty>;
}

function CardView({ courseId, round, chat, onEvent }: {
  courseId: number;
  round: Round<ReviewCard>;
  chat: LiveChat;
  onEvent: (event: RoundEvent) => void;
}) {
  const { t } = useTranslation();
  const card = currentCard(round) as ReviewCard;
  const step = round.step;
  const [answer, setAnswer] = useState("");
  const [busy, setBusy] = useState(false);
  // What the server refused, as a form shows it: a 422 on the answer under it, anything else under the card.
  const [error, setError] = useState<unknown>(null);
  const errors = formErrors(error);

  // The tutor's reply to the answer: written live, then stored; its end brings the card's new schedule.
  const turn = step.kind === "grading" || step.kind === "failed" || (step.kind === "rated" && step.turn !== null) ? step.turn : null;
  const live = turn !== null && chat.live?.turn === turn ? chat.live : null;
  const stored = turn === null ? undefined : chat.messages.find((m) => m.role === "assistant" && m.reply_to === turn);
  const asked = turn === null ? undefined : chat.messages.find((m) => m.id === turn);
  const feedback = live?.text || stored?.content || "";
  useEffect(() => {
    // Sent again (Try again): the chat shows the message waiting for its reply once more.
    if (step.kind === "failed" && asked?.status === "pending") onEvent({ type: "retried" });
    if (step.kind !== "grading") return;
    if (asked?.status === "failed") {
      onEvent({ type: "failed", error: asked.error || t("common.somethingWentWrong") });
      return;
    }
    if (!stored || live) return;
    let current = true;
    void gradedCard(courseId, card, () => current).then((after) => {
      if (!current) return;
      const rating = after && isRating(after.last_rating) ? after.last_rating : null;
      onEvent({ type: "graded", rating, due: rating === null ? null : (after?.due ?? null) });
    });
    return () => {
      current = false;
    };
  }, [step.kind, stored, live, asked, courseId, card, onEvent, t]);

  async function run(work: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  const check = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const outcome = await answerCard(courseId, card.id, { answer: answer.trim() });
      if (outcome.turn !== null) onEvent({ type: "answered", turn: outcome.turn });
    });
  };
  const rateSelf = (rating: Rating) =>
    run(async () => {
      const outcome = await answerCard(courseId, card.id, { rating });
      onEvent({ type: "selfRated", rating, due: outcome.card.due });
    });
  const retry = (failedTurn: number) =>
    run(async () => {
      await sendCourseMessage(courseId, { text: "", retry_of: failedTurn });
    });

  return (
    <article aria-label={t("learning.review.progress", { n: round.index + 1, total: round.cards.length })}
      className="space-y-3 rounded-lg border border-slate-700 bg-slate-900 p-4">
      <div className="flex flex-wrap items-center justify-between gap-2 text-sm text-slate-400">
        <span>{t("learning.review.progress", { n: round.index + 1, total: round.cards.length })}</span>
        <span className="rounded-full border border-slate-600 px-2 py-0.5 text-xs text-slate-200">{kindLabel(card.kind)}</span>
      </div>
      <p data-card-front className="whitespace-pre-wrap break-words text-lg font-medium text-slate-50">{card.front}</p>

      {step.kind === "asking" && (
        <form onSubmit={check} noValidate className="space-y-2">
          <TextArea label={t("learning.review.answer")} name="answer" value={answer} rows={2} autoFocus
            className={`${inputClass} text-sm`} onChange={(e) => setAnswer(e.target.value)} hint={t("learning.review.answerHint")}
            error={errors.fields.answer} />
          <div className="flex flex-wrap items-center gap-2">
            <button type="submit" className={buttonClass.primary} disabled={busy || !answer.trim()}>
              {busy ? t("learning.review.checking") : t("learning.review.check")}
            </button>
          </div>
        </form>
      )}

      {step.kind !== "asking" && answer.trim() && (
        <p className="text-sm"><span className="text-slate-400">{t("learning.review.answer")}: </span>{answer.trim()}</p>
      )}

      {turn !== null && (
        <div aria-live="polite" className="space-y-1">
          <h3 className="text-sm font-semibold text-slate-300">{t("learning.review.feedback")}</h3>
          {feedback ? <Markdown>{feedback}</Markdown> : null}
          {step.kind === "grading" && (
            <p role="status" className="flex items-center gap-2 text-xs text-slate-400">
              <span className="size-3 animate-spin rounded-full border-2 border-slate-600 border-t-sky-400" aria-hidden />
              {t("learning.review.grading")}
            </p>
          )}
        </div>
      )}

      {step.kind === "failed" && (
        <div className="flex flex-wrap items-center gap-2 text-sm text-red-300">
          <span role="alert">{t("learning.review.failed", { error: step.error })}</span>
          <button type="button" className={buttonClass.secondary} disabled={busy} onClick={() => void retry(step.turn)}>
            {t("learning.review.tryAgain")}
          </button>
        </div>
      )}

      {(step.kind === "asking" || step.kind === "failed" || (step.kind === "rated" && step.rating === null)) && (
        <div className="space-y-2 border-t border-slate-800 pt-3">
          <p className="text-sm text-slate-400">{t("learning.review.selfHint")}</p>
          <div className="flex flex-wrap gap-2">
            <button type="button" className={buttonClass.secondary} disabled={busy} onClick={() => void rateSelf(KNEW_IT)}>
              {t("learning.review.knewIt")}
            </button>
            <button type="button" className={buttonClass.secondary} disabled={busy} onClick={() => void rateSelf(DIDNT_KNOW)}>
              {t("learning.review.didntKnow")}
            </button>
          </div>
        </div>
      )}

      {step.kind === "rated" && (
        <div className="space-y-2 border-t border-slate-800 pt-3">
          {step.by === "self" && <p className="text-sm">{t("learning.review.expected", { back: card.back })}</p>}
          {step.rating !== null && <RatingLine rating={step.rating} due={step.due} />}
          {step.rating !== null && <button type="button" className={buttonClass.primary} autoFocus onClick={() => onEvent({ type: "next" })}>
            {round.index + 1 < round.cards.length ? t("learning.review.next") : t("learning.review.finish")}
          </button>}
        </div>
      )}
      <FormError message={errors.message} />
    </article>
  );
}

const KINDS = ["word", "mistake", "concept"] as const;

/** The card's kind in words; a kind this PWA does not know shows as it comes. */
function kindLabel(kind: string): string {
  const known = KINDS.find((k) => k === kind);
  return known ? i18n.t(`learning.review.kind.${known}`) : kind;
}

/** "Good (right) — this card comes back in 4 days." */
export function RatingLine({ rating, due }: { rating: Rating; due: string | null }) {
  const { t } = useTranslation();
  const words = `${t(`learning.review.rating.${rating}`)} (${t(`learning.review.ratingHint.${rating}`)})`;
  return (
    <p role="status" data-rating={rating} className="rounded-md bg-slate-800 px-3 py-2 text-sm text-slate-100">
      {due ? t("learning.review.rated", { rating: words, when: whenDue(due) }) : t("learning.review.ratedNoDate", { rating: words })}
    </p>
  );
}
