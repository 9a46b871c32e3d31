import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { QueryClientProvider } from "@tanstack/react-query";
import { App } from "./App";
import { makeQueryClient } from "./api/queryClient";
import { AppErrorBoundary } from "./components/AppErrorBoundary";
import "./i18n";
import { LanguageSync } from "./i18n/LanguageSync";
import "./index.css";
import { reloadOnChunkFailure } from "./reloadOnChunkFailure";

reloadOnChunkFailure();
const queryClient = makeQueryClient();

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    {/* Outermost, so an error anywhere (LanguageSync, the router) still shows it; its fallback needs neither. */}
    <AppErrorBoundary>
      <QueryClientProvider client={queryClient}>
        <LanguageSync />
        <BrowserRouter>
          <App />
        </BrowserRouter>
      </QueryClientProvider>
    </AppErrorBoundary>
  </StrictMode>,
);
