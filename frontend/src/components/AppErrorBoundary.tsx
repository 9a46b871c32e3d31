// Without a boundary, one error while rendering (a bug, or a lazily loaded page that could not be fetched and
// was not cured by reloadOnChunkFailure) unmounts the whole React tree and leaves a blank page. This one
// catches it for the whole app and says, in plain words, what to do: reload, or go back to the dashboard.
import { Component, type ErrorInfo, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { FullScreenNotice, NOTICE_BUTTON } from "./States";

const backLink =
  "rounded-md border border-slate-600 px-4 py-2 text-slate-200 hover:bg-slate-800 focus-visible:outline-2 " +
  "focus-visible:outline-offset-2 focus-visible:outline-sky-300";

export class AppErrorBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  componentDidCatch(error: unknown, info: ErrorInfo) {
    console.error("A page failed to render:", error, info.componentStack);
  }

  render() {
    return this.state.failed ? <PageError /> : this.props.children;
  }
}

/** The whole screen instead of the broken page. Both ways out load the page afresh: whatever broke (the
 * router, the query cache, a half-fetched chunk) starts again from nothing. */
function PageError() {
  const { t } = useTranslation();
  return (
    <FullScreenNotice title={t("shell.pageError.title")} body={t("shell.pageError.body")} alert>
      <div className="flex flex-wrap justify-center gap-3">
        <button type="button" onClick={() => window.location.reload()} className={NOTICE_BUTTON}>
          {t("shell.pageError.reload")}
        </button>
        <a href="/" className={backLink}>{t("common.backToDashboard")}</a>
      </div>
    </FullScreenNotice>
  );
}
