// The learning agent's API (docs/learning.md, "API"): TanStack Query hooks over the generated client for
// subjects, courses, the student's notes and review cards, with the keys their mutations invalidate.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../api/client";

export type Subject = Schemas["SubjectPublic"];
export type Course = Schemas["CoursePublic"];
export type CourseDetail = Schemas["CourseDetail"];
export type CourseCreate = Schemas["CourseCreate"];
export type CourseUpdate = Schemas["CourseUpdate"];
export type LevelScale = Course["level_scale"];
export type ReviewQueue = Schemas["ReviewQueue"];
export type ReviewCard = Schemas["ReviewCardPublic"];
export type ReviewAnswer = Schemas["ReviewAnswer"];
export type ReviewOutcome = Schemas["ReviewOutcome"];
export type CourseMessageBody = Schemas["CourseMessageBody"];
export type LearningDue = Schemas["LearningDue"];

export const learningKeys = {
  all: ["learning"] as const,
  subjects: (agentId: number) => ["learning", "subjects", agentId] as const,
  course: (courseId: number) => ["learning", "course", courseId] as const,
  notes: (courseId: number) => ["learning", "course", courseId, "notes"] as const,
  review: (courseId: number) => ["learning", "course", courseId, "review"] as const,
  due: ["learning", "due"] as const,
};

/** Subjects, course lists and due counts: what a course's change (a level, a grade, a rename) may alter. */
function useRefreshLists() {
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: ["learning", "subjects"] });
    void client.invalidateQueries({ queryKey: learningKeys.due });
  };
}

export function useSubjects(agentId: number) {
  return useQuery({
    queryKey: learningKeys.subjects(agentId),
    queryFn: () => unwrap(api.GET("/api/agents/{agent_id}/subjects", { params: { path: { agent_id: agentId } } })),
  });
}

export function useCreateSubject(agentId: number) {
  const refresh = useRefreshLists();
  return useMutation({
    mutationFn: (name: string) =>
      unwrap(api.POST("/api/agents/{agent_id}/subjects", { params: { path: { agent_id: agentId } }, body: { name } })),
    onSuccess: refresh,
  });
}

export function useRenameSubject(subjectId: number) {
  const refresh = useRefreshLists();
  return useMutation({
    mutationFn: (name: string) =>
      unwrap(api.PATCH("/api/subjects/{subject_id}", { params: { path: { subject_id: subjectId } }, body: { name } })),
    onSuccess: refresh,
  });
}

export function useDeleteSubject(subjectId: number) {
  const refresh = useRefreshLists();
  return useMutation({
    mutationFn: () => unwrap(api.DELETE("/api/subjects/{subject_id}", { params: { path: { subject_id: subjectId } } })),
    onSuccess: refresh,
  });
}

export function useCreateCourse(subjectId: number) {
  const refresh = useRefreshLists();
  return useMutation({
    mutationFn: (body: CourseCreate) =>
      unwrap(api.POST("/api/subjects/{subject_id}/courses", { params: { path: { subject_id: subjectId } }, body })),
    onSuccess: refresh,
  });
}

/** The course with its whole chat. Not refetched on focus: the chat stream keeps the conversation current. */
export function useCourse(courseId: number) {
  return useQuery({
    queryKey: learningKeys.course(courseId),
    queryFn: () => unwrap(api.GET("/api/courses/{course_id}", { params: { path: { course_id: courseId } } })),
    refetchOnWindowFocus: false,
  });
}

function useCourseMutation<V>(courseId: number, body: (vars: V) => CourseUpdate) {
  const client = useQueryClient();
  const refresh = useRefreshLists();
  return useMutation({
    mutationFn: (vars: V) =>
      unwrap(api.PATCH("/api/courses/{course_id}", { params: { path: { course_id: courseId } }, body: body(vars) })),
    onSuccess: (data) => {
      // The detail keeps its messages; the lists show the new name.
      client.setQueryData<CourseDetail>(learningKeys.course(courseId), (old) => (old ? { ...old, ...data } : old));
      refresh();
    },
  });
}

/** Change its name, its instructions or its level. */
export function useUpdateCourse(courseId: number) {
  return useCourseMutation(courseId, (body: CourseUpdate) => body);
}

export function useRenameCourse(courseId: number) {
  return useCourseMutation(courseId, (name: string) => ({ name }));
}

export function useDeleteCourse(courseId: number) {
  const refresh = useRefreshLists();
  return useMutation({
    mutationFn: () => unwrap(api.DELETE("/api/courses/{course_id}", { params: { path: { course_id: courseId } } })),
    onSuccess: refresh,
  });
}

/** A message (or `retry_of` a failed one); the reply arrives on the chat stream. */
export function sendCourseMessage(courseId: number, body: CourseMessageBody) {
  return unwrap(api.POST("/api/courses/{course_id}/message", { params: { path: { course_id: courseId } }, body }));
}

export function interruptCourse(courseId: number) {
  return unwrap(api.POST("/api/courses/{course_id}/interrupt", { params: { path: { course_id: courseId } } }));
}

export function useNotes(courseId: number) {
  return useQuery({
    queryKey: learningKeys.notes(courseId),
    queryFn: () => unwrap(api.GET("/api/courses/{course_id}/notes", { params: { path: { course_id: courseId } } })),
  });
}

export function useSaveNotes(courseId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (content: string) =>
      unwrap(api.PUT("/api/courses/{course_id}/notes", { params: { path: { course_id: courseId } }, body: { content } })),
    onSuccess: (data) => client.setQueryData(learningKeys.notes(courseId), data),
  });
}

/** The cards due now. Not refetched on focus: Review mode holds its round of cards while it asks them. */
export function useReview(courseId: number) {
  return useQuery({
    queryKey: learningKeys.review(courseId),
    queryFn: () => unwrap(api.GET("/api/courses/{course_id}/review", { params: { path: { course_id: courseId } } })),
    refetchOnWindowFocus: false,
  });
}

/** An answer for the tutor to grade in the chat, or the student's own rating (rescheduled at once). */
export function answerCard(courseId: number, cardId: number, body: ReviewAnswer) {
  return unwrap(
    api.POST("/api/courses/{course_id}/review/{card_id}", { params: { path: { course_id: courseId, card_id: cardId } }, body }),
  );
}

/** How many cards are due, per course, for the dashboard. */
export function useDueCards() {
  return useQuery({ queryKey: learningKeys.due, queryFn: () => unwrap(api.GET("/api/learning/due")) });
}

/** One card as it is now: after the tutor graded it, its last rating and when it comes back. */
export function fetchCard(courseId: number, cardId: number) {
  return unwrap(
    api.GET("/api/courses/{course_id}/review/{card_id}", { params: { path: { course_id: courseId, card_id: cardId } } }),
  );
}
