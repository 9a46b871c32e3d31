// A page inside the Layout's column: its title, then its content. The width is the column's (Layout's
// PAGE_COLUMN), never a page's own; `fill` lets a page take the column's whole height (the terminal).
import type { ReactNode } from "react";
import { PageTitle } from "./States";

export function Page({ title, fill = false, children }: { title: ReactNode; fill?: boolean; children: ReactNode }) {
  return (
    <div className={fill ? "flex h-full min-h-0 flex-col" : "space-y-4"} data-page-fill={fill || undefined}>
      <PageTitle>{title}</PageTitle>
      {children}
    </div>
  );
}
