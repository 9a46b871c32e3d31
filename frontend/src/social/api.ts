// The social media manager's API (docs/social-media.md): TanStack Query hooks over the generated client for the
// set-up, the accounts and connecting them, the feed and stories, uploads, posts with their targets, the
// Instagram quota and the inbox; keys under ["social", …] so a change refreshes what it touches. Uploads go as
// the raw file (its Content-Type) through apiFetch; a picture's preview is fetched with the sign-in into a blob URL.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "../api/apiFetch";
import { api, unwrap, type Schemas } from "../api/client";
import { apiErrorOf } from "../api/errors";

export type Setup = Schemas["SocialSetup"];
export type Account = Schemas["SocialAccountPublic"];
export type Connection = Schemas["SocialConnectionPublic"];
export type Candidate = Schemas["ConnectionCandidate"];
export type FeedPost = Schemas["SocialPostView"];
export type Story = Schemas["SocialStoryView"];
export type Problem = Schemas["SocialProblem"];
export type Media = Schemas["SocialMediaPublic"];
export type Post = Schemas["SocialPostPublic"];
export type PostCreate = Schemas["SocialPostCreate"];
export type Target = Schemas["SocialTargetPublic"];
export type Quota = Schemas["SocialQuota"];
export type Comment = Schemas["SocialCommentView"];
export type Conversation = Schemas["SocialConversationView"];
export type Platform = Account["platform"];
export type Login = Account["login"];
export type PlatformFilter = Platform | "all";

export const socialKeys = {
  all: ["social"] as const,
  setup: ["social", "setup"] as const,
  accounts: (agentId: number) => ["social", "accounts", agentId] as const,
  feed: (agentId: number, platform: PlatformFilter) => ["social", "feed", agentId, platform] as const,
  stories: (agentId: number, platform: PlatformFilter) => ["social", "stories", agentId, platform] as const,
  posts: (agentId: number) => ["social", "posts", agentId] as const,
  scheduled: (agentId: number) => ["social", "posts", agentId, "scheduled"] as const,
  post: (postId: number) => ["social", "post", postId] as const,
  quota: (accountId: number) => ["social", "quota", accountId] as const,
  comments: (agentId: number) => ["social", "comments", agentId] as const,
  dms: (agentId: number) => ["social", "dms", agentId] as const,
};

const platformQuery = (platform: PlatformFilter) => (platform === "all" ? undefined : platform);

export function useSetup() {
  return useQuery({ queryKey: socialKeys.setup, queryFn: () => unwrap(api.GET("/api/social/setup")) });
}

export function useAccounts(agentId: number) {
  return useQuery({
    queryKey: socialKeys.accounts(agentId),
    queryFn: () => unwrap(api.GET("/api/social/accounts", { params: { query: { agent_id: agentId } } })),
  });
}

export function useDisconnect() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (accountId: number) =>
      unwrap(api.DELETE("/api/social/accounts/{account_id}", { params: { path: { account_id: accountId } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: socialKeys.all }),
  });
}

/** Meta's login page for connecting accounts of `login`'s kind; the browser goes there next. */
export function connectUrl(agentId: number, login: Login): Promise<string> {
  return unwrap(
    api.GET("/api/social/connect/{platform}", { params: { path: { platform: login }, query: { agent_id: agentId } } }),
  ).then((answer) => answer.url);
}

// The callback's state is single-use: a second POST (React's Strict Mode runs effects twice) would be refused,
// so one page load hands each state over once and shares the answer.
const handedOver = new Map<string, Promise<Connection>>();

export function completeConnection(state: string, code: string): Promise<Connection> {
  let found = handedOver.get(state);
  if (!found) {
    found = unwrap(api.POST("/api/social/oauth/callback", { body: { state, code } }));
    handedOver.set(state, found);
  }
  return found;
}

export function pickAccounts(connectionId: number, keys: string[]) {
  return unwrap(
    api.POST("/api/social/connections/{connection_id}", { params: { path: { connection_id: connectionId } }, body: { keys } }),
  );
}

export function useFeed(agentId: number, platform: PlatformFilter) {
  return useQuery({
    queryKey: socialKeys.feed(agentId, platform),
    queryFn: () =>
      unwrap(api.GET("/api/social/feed", { params: { query: { agent_id: agentId, platform: platformQuery(platform) } } })),
  });
}

export function useStories(agentId: number, platform: PlatformFilter) {
  return useQuery({
    queryKey: socialKeys.stories(agentId, platform),
    queryFn: () =>
      unwrap(api.GET("/api/social/stories", { params: { query: { agent_id: agentId, platform: platformQuery(platform) } } })),
  });
}

/** Upload one picture or video: the body is the file itself, with its type. */
export async function uploadMedia(file: File): Promise<Media> {
  const res = await apiFetch(`/api/social/media?name=${encodeURIComponent(file.name.slice(0, 255) || "upload")}`, {
    method: "POST",
    body: file,
    headers: { "Content-Type": file.type || "application/octet-stream" },
  });
  if (!res.ok) throw await apiErrorOf(res);
  return (await res.json()) as Media;
}

export function deleteMedia(mediaId: number) {
  return unwrap(api.DELETE("/api/social/media/{media_id}", { params: { path: { media_id: mediaId } } }));
}

/** An upload's bytes as a blob URL (fetched with the sign-in, as the page cannot send it on an <img>); the caller
revokes it when it is no longer shown. */
export async function mediaBlobUrl(mediaId: number): Promise<string> {
  const res = await apiFetch(`/api/social/media/${mediaId}`);
  if (!res.ok) throw await apiErrorOf(res);
  return URL.createObjectURL(await res.blob());
}

export function useCreatePost(agentId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: PostCreate) => unwrap(api.POST("/api/social/posts", { body })),
    onSuccess: (post) => {
      client.setQueryData(socialKeys.post(post.id), post);
      void client.invalidateQueries({ queryKey: socialKeys.posts(agentId) });
    },
  });
}

/** A post with each target's state; while a target is on its way, asked again every `pollMs`. */
export function usePost(postId: number, pollMs = 1500) {
  return useQuery({
    queryKey: socialKeys.post(postId),
    queryFn: () => unwrap(api.GET("/api/social/posts/{post_id}", { params: { path: { post_id: postId } } })),
    refetchInterval: (query) => (query.state.data && !postSettled(query.state.data) ? pollMs : false),
  });
}

const ACTIVE: readonly Target["state"][] = ["waiting", "preparing", "processing", "publishing"];

/** Whether every target has come to rest (published, failed or cancelled); a scheduled post waits on its time. */
export function postSettled(post: Post): boolean {
  return post.status === "scheduled" || post.targets.every((target) => !ACTIVE.includes(target.state));
}

export function useRetryPost(agentId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (postId: number) =>
      unwrap(api.POST("/api/social/posts/{post_id}/retry", { params: { path: { post_id: postId } } })),
    onSuccess: (post) => {
      client.setQueryData(socialKeys.post(post.id), post);
      void client.invalidateQueries({ queryKey: socialKeys.posts(agentId) });
    },
  });
}

export function usePosts(agentId: number) {
  return useQuery({
    queryKey: socialKeys.posts(agentId),
    queryFn: () => unwrap(api.GET("/api/social/posts", { params: { query: { agent_id: agentId } } })),
    refetchInterval: (query) => (query.state.data?.some((post) => !postSettled(post)) ? 3000 : false),
  });
}

export function useScheduled(agentId: number) {
  return useQuery({
    queryKey: socialKeys.scheduled(agentId),
    queryFn: () =>
      unwrap(api.GET("/api/social/posts", { params: { query: { agent_id: agentId, status: "scheduled" } } })),
  });
}

export function useDeletePost(agentId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (postId: number) =>
      unwrap(api.DELETE("/api/social/posts/{post_id}", { params: { path: { post_id: postId } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: socialKeys.posts(agentId) }),
  });
}

export function useQuota(accountId: number) {
  return useQuery({
    queryKey: socialKeys.quota(accountId),
    queryFn: () =>
      unwrap(api.GET("/api/social/accounts/{account_id}/quota", { params: { path: { account_id: accountId } } })),
    retry: false,
  });
}

export function useComments(agentId: number) {
  return useQuery({
    queryKey: socialKeys.comments(agentId),
    queryFn: () => unwrap(api.GET("/api/social/comments", { params: { query: { agent_id: agentId } } })),
  });
}

export function useConversations(agentId: number) {
  return useQuery({
    queryKey: socialKeys.dms(agentId),
    queryFn: () => unwrap(api.GET("/api/social/dms", { params: { query: { agent_id: agentId } } })),
  });
}

export function replyToComment(commentId: string, accountId: number, text: string) {
  return unwrap(
    api.POST("/api/social/comments/{comment_id}/reply", {
      params: { path: { comment_id: commentId } },
      body: { account_id: accountId, text },
    }),
  );
}

export function replyToConversation(conversationId: string, accountId: number, text: string) {
  return unwrap(
    api.POST("/api/social/dms/{conversation_id}/reply", {
      params: { path: { conversation_id: conversationId } },
      body: { account_id: accountId, text },
    }),
  );
}

export function markRead(keys: string[]) {
  return unwrap(api.POST("/api/social/inbox/read", { body: { keys } }));
}
