// Top level: offline screen, start-up sign-in check, sign-in page, then the routed app.
import { lazy, Suspense, useCallback, useState } from "react";
import { Route, Routes } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { useOffline } from "./api/connectivity";
import { useBootstrap, useSignedIn } from "./api/session";
import { Layout } from "./components/Layout";
import { Loading } from "./components/States";
import { Offline } from "./pages/Offline";
import { SignIn } from "./pages/SignIn";
import { Dashboard } from "./pages/Dashboard";
import { AdminPage } from "./pages/Admin";
import { AgentBuilderPage } from "./pages/AgentBuilder";
import { AgentEditPage, AgentPage } from "./pages/AgentPage";
import { NotFoundPage } from "./pages/NotFound";
import { ProjectPage } from "./pages/ProjectPage";
import { SettingsPage } from "./pages/Settings";

// xterm.js is most of the bundle: load it only when the terminal is opened.
const TerminalPage = lazy(() => import("./pages/TerminalPage").then((m) => ({ default: m.TerminalPage })));
// A research's chat brings Markdown and code highlighting: loaded when a research is opened.
const ResearchPage = lazy(() => import("./pages/ResearchPage").then((m) => ({ default: m.ResearchPage })));
// A course's chat too (with its notes and Review mode).
const CoursePage = lazy(() => import("./pages/CoursePage").then((m) => ({ default: m.CoursePage })));
// A custom agent's chat too.
const CustomChatPage = lazy(() => import("./pages/CustomChatPage").then((m) => ({ default: m.CustomChatPage })));
// Where Meta's login comes back to finish connecting social media accounts.
const SocialConnectPage = lazy(() => import("./social/ConnectPage").then((m) => ({ default: m.ConnectPage })));

export function App() {
  const [attempt, setAttempt] = useState(0);
  const boot = useBootstrap(attempt);
  const signedIn = useSignedIn();
  const offline = useOffline();
  const queryClient = useQueryClient();
  const { t } = useTranslation();
  const retry = useCallback(() => {
    setAttempt((n) => n + 1);
    void queryClient.invalidateQueries();
  }, [queryClient]);

  // Signed in, the app stays and says it is offline in a banner (Layout); before that, a whole screen.
  if (offline && (boot === "checking" || !signedIn)) return <Offline onRetry={retry} />;
  if (boot === "checking") return <Loading label={t("shell.starting")} fullScreen />;
  if (!signedIn) return <SignIn />;

  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<Dashboard />} />
        <Route
          path="terminal"
          element={
            <Suspense fallback={<Loading label={t("shell.loadingTerminal")} />}>
              <TerminalPage />
            </Suspense>
          }
        />
        <Route path="agents/new" element={<AgentBuilderPage />} />
        <Route path="agents/:id" element={<AgentPage />} />
        <Route path="agents/:id/edit" element={<AgentEditPage />} />
        <Route path="projects/:id" element={<ProjectPage />} />
        <Route path="research/:id" element={<Suspense fallback={<Loading />}><ResearchPage /></Suspense>} />
        <Route path="course/:id" element={<Suspense fallback={<Loading />}><CoursePage /></Suspense>} />
        <Route path="chat/:id" element={<Suspense fallback={<Loading />}><CustomChatPage /></Suspense>} />
        <Route path="social/connect" element={<Suspense fallback={<Loading />}><SocialConnectPage /></Suspense>} />
        <Route path="settings" element={<SettingsPage />} />
        <Route path="admin" element={<AdminPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
