// vendors(search:): the ranked candidates for a name, reading or identifier, with which of
// the vendor's names matched and how well. Used by the vendor search and by screening.
import { html } from "./html.js";
import { oneDecimal } from "./i18n.js";

export const SHOWN_HITS = 10;
// One more than shown: whether more match than the ten, which the list then says.
export const FIND_VENDOR = `query ConsoleFindVendor($search: String!) {
  vendors(search: $search, first: ${SHOWN_HITS + 1}) { vendorId matchedName matchedKind score }
}`;

export function vendorLink(vendorId) {
  return `#/vendor/${encodeURIComponent(vendorId)}`;
}

// The vendor search's address for a search (vendors.js): one part, a "/" in it escaped.
export function searchLink(search) {
  return search ? `#/vendors/${encodeURIComponent(search)}` : "#/vendors";
}

export function Candidates({ t, hits, caption }) {
  if (hits.length === 0) return html`<p class="empty">${t("search.none")}</p>`;
  const more = hits.length > SHOWN_HITS;
  const shown = hits.slice(0, SHOWN_HITS);
  return html`${more ? html`<p class="more-hits">${t("search.more", { count: SHOWN_HITS })}</p>` : null}
    <table class="candidates">
    <caption>${caption}</caption>
    <thead>
      <tr>
        <th scope="col">${t("search.vendor")}</th>
        <th scope="col">${t("search.matchedName")}</th>
        <th scope="col">${t("search.matchedKind")}</th>
        <th scope="col">${t("search.score")}</th>
      </tr>
    </thead>
    <tbody>
      ${shown.map(
        (hit) => html`<tr>
          <td><a href=${vendorLink(hit.vendorId)}>${hit.vendorId}</a></td>
          <td class="name">${hit.matchedName}</td>
          <td>${t(`nameKind.${hit.matchedKind}`)}</td>
          <td class="number">${oneDecimal(hit.score)}</td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}
