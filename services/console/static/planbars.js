// A plan's own vendor under a bar already recorded to begin before contracts the plan still
// holds end (`vendorBarsToCome`). The bar does not cut those contracts short: they run on and
// move as the plan's Gantt chart schedules them (a replacement under such a bar is another
// matter: a contract moved to it would have to move again, so it is refused). Free to bid
// here now, the vendor's plan cannot be withdrawn for them. The list says from when; the
// plan's page when, why, and which contracts.
import { html } from "./html.js";
import { DateText } from "./i18n.js";
import { BarsToCome } from "./reasons.js";

// What the plan's page asks of it.
export const BARS_TO_COME = `vendorBarsToCome {
      sanctionId kind authority startsOn barsFrom resumed endsOn viaVendorId }
    vendorBarredLaterContracts`;

// In the list: the first day such a bar begins.
export function BarredHereFrom({ t, language, plan }) {
  const [first] = plan.vendorBarsToCome;
  return first
    ? html`<div class="barred-here-from" data-bars-from=${first.startsOn}>
        ${t("migration.barredHereFrom")} <${DateText} iso=${first.startsOn} language=${language} />
      </div>`
    : null;
}

// On the page, led by whether the vendor may bid here now.
export function BarredLater({ t, language, plan }) {
  if (!plan.vendorBarsToCome.length) return null;
  const contracts = { contracts: plan.vendorBarredLaterContracts.join(", ") };
  const [lead, said] = plan.vendorEligible
    ? [t("migration.barredLaterOnly"), t("migration.runIntoItOnly", contracts)]
    : [t("migration.barredLaterToo"), t("migration.runIntoItToo", contracts)];
  return html`<div class="barred-later">
    <${BarsToCome} t=${t} language=${language} bars=${plan.vendorBarsToCome} lead=${lead}>
      <p>${said}</p>
    <//>
  </div>`;
}
