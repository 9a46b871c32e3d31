// The course's chat: the shared chat view over the course's stream (/ws/course/{id}/chat) and its routes.
import { useMemo } from "react";
import { limits } from "../api/limits";
import { ChatView, type ChatActions } from "../chat/ChatView";
import type { ChatMessage } from "../chat/types";
import { i18n } from "../i18n";
import type { LiveChat } from "../chat/useChat";
import { interruptCourse, sendCourseMessage } from "./api";

export function courseChatPath(courseId: number): string {
  return `/ws/course/${courseId}/chat`;
}

/** A review answer says which card it answers (the message's context carries the card). */
export function reviewLabel(message: ChatMessage): string | null {
  const review = message.context?.review as { front?: unknown } | undefined;
  return typeof review?.front === "string" ? i18n.t("learning.review.answering", { front: review.front }) : null;
}

export function CourseChat({ courseId, chat }: { courseId: number; chat: LiveChat }) {
  const actions = useMemo<ChatActions>(
    () => ({
      // A course's message is words only: the composer offers no files (allowFiles below).
      send: ({ text }) => sendCourseMessage(courseId, { text }),
      stop: () => interruptCourse(courseId),
      retry: (turn) => sendCourseMessage(courseId, { text: "", retry_of: turn }),
    }),
    [courseId],
  );
  return <ChatView chat={chat} actions={actions} maxLength={limits.MessageBody.text.maxLength} allowFiles={false}
    about={reviewLabel} />;
}
