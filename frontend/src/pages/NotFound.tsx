import { Link } from "react-router";
import { Empty, PageTitle } from "../components/States";

export function NotFoundPage() {
  return (
    <div className="mx-auto max-w-3xl">
      <PageTitle>Page not found</PageTitle>
      <Empty>Nothing lives at this address. <Link to="/" className="text-sky-300 underline">Back to the dashboard</Link></Empty>
    </div>
  );
}
