// A list read a page at a time (the API's `first`/`after`), its cursor in the address with the
// list's other filters (`#/audit?subject=…&after=…`, address.js): Back returns to the page
// before, and a page can be bookmarked or passed on. The API's cursors go forward only, so the
// way back to the start is the first page, and Back the one before.
import { filtersLink } from "./address.js";
import { html } from "./html.js";

// `route`: the list's route (with what it names: `import/<id>`); `filters`: the address's.
export function Pager({ t, route, filters, pageInfo }) {
  const first = filters.after ? filtersLink(route, { ...filters, after: "" }) : null;
  const next = pageInfo.hasNextPage ? filtersLink(route, { ...filters, after: pageInfo.endCursor }) : null;
  if (!first && !next) return null;
  return html`<p class="pager">
    ${first ? html`<a href=${first} data-page="first">${t("pager.first")}</a>` : null}
    ${next ? html`<a href=${next} data-page="next">${t("pager.next")}</a>` : null}
  </p>`;
}
