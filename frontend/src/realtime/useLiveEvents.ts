// Keeps cached server state fresh from /ws/events: sandbox state changes land in the dashboard and the
// admin panel, project progress and escalations in the project pages, and a tutor's changes to a course, as they happen. Mounted once, by the signed-in layout.
import { useEffect } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { keys, projectKeys, useMe, type Sandbox } from "../api/queries";
import { learningKeys } from "../learning/api";
import { EventStream } from "./EventStream";

export function useLiveEvents(): void {
  const client = useQueryClient();
  const me = useMe();
  const userId = me.data?.id;
  const isAdmin = me.data?.role === "admin";

  useEffect(() => {
    if (userId === undefined) return;
    const stream = new EventStream({ scope: isAdmin ? "all" : "mine" });
    stream.onConnected(() => {
      void client.invalidateQueries({ queryKey: keys.sandbox });
      if (isAdmin) void client.invalidateQueries({ queryKey: keys.adminSandboxes });
    });
    stream.onEvent((event) => {
      if (event.type === "project.status" || event.type === "escalation" || event.type === "agent_instance.status") {
        // Every view of projects refetches: the project page, the agent's list and the dashboard's active work
        // (all under one key prefix), so every badge says the same thing.
        void client.invalidateQueries({ queryKey: projectKeys.all });
        return;
      }
      if (event.type === "course.changed") {
        // The tutor made a card, graded one, set the level or rewrote the notes: every learning view refetches
        // (the course page, the agent's subjects, the dashboard's due cards), whichever page is open.
        void client.invalidateQueries({ queryKey: learningKeys.all });
        return;
      }
      if (event.type !== "sandbox.state") return;
      if (event.user_id === userId) {
        client.setQueryData<Sandbox>(keys.sandbox, (old) =>
          old ? { ...old, state: event.state as Sandbox["state"] } : old,
        );
        // started_at, uptime and restarts changed too: fetch them behind the instant state change.
        void client.invalidateQueries({ queryKey: keys.sandbox });
      }
      if (isAdmin) void client.invalidateQueries({ queryKey: keys.adminSandboxes });
    });
    void stream.start();
    return () => stream.stop();
  }, [client, userId, isAdmin]);
}
