// What a wrong address shows: a plain way back, never Retry (nothing here can succeed later).
import { Link } from "react-router";
import { useTranslation } from "react-i18next";
import { Page } from "../components/Page";
import { Empty } from "../components/States";

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <Page title={t("shell.notFound.title")}>
      <Empty>
        {t("shell.notFound.body")}{" "}
        <Link to="/" className="text-sky-300 underline">{t("common.backToDashboard")}</Link>
      </Empty>
    </Page>
  );
}
