// A plan's own vendor under a bar already recorded to begin before contracts the plan still
// holds end (`vendorBarsToCome`): free to bid here now or not, those contracts must move
// before it begins. The list says from when; the plan's page when, why, and which contracts.
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
  const lead = plan.vendorEligible ? t("migration.barredLaterOnly") : t("migration.barredLaterToo");
  return html`<div class="barred-later">
    <${BarsToCome} t=${t} language=${language} bars=${plan.vendorBarsToCome} lead=${lead}>
      <p>${t("migration.runIntoIt", { contracts: plan.vendorBarredLaterContracts.join(", ") })}</p>
    <//>
  </div>`;
}
