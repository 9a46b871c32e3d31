import { Link } from "react-router";
import { Page } from "../components/Page";
import { Empty } from "../components/States";

export function NotFoundPage() {
  return (
    <Page title="Page not found">
      <Empty>Nothing lives at this address. <Link to="/" className="text-sky-300 underline">Back to the dashboard</Link></Empty>
    </Page>
  );
}
