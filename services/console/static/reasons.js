// The sanctions that bar a vendor as lists, wherever they are shown (screening, a migration
// item's replacement, a plan's own vendor): those barring it on the day, and those already
// recorded to bar it later, each said with the day it begins.
import { BarPeriod } from "./barperiod.js";
import { html } from "./html.js";
import { DateText } from "./i18n.js";
import { vendorLink } from "./search.js";

// One sanction: its id, kind, authority, its bar's days, and the affiliate it reaches the
// vendor through.
function Reason({ t, language, reason }) {
  return html`${reason.sanctionId} · ${t(`sanctionKind.${reason.kind}`)} · ${reason.authority}${" · "}
    <${BarPeriod} t=${t} language=${language} reason=${reason} />
    ${reason.viaVendorId
      ? html` · ${t("screening.via")} <a href=${vendorLink(reason.viaVendorId)}>${reason.viaVendorId}</a>`
      : null}`;
}

export function Reasons({ t, language, reasons }) {
  return html`<ul class="reasons">
    ${reasons.map((reason) => html`<li><${Reason} t=${t} language=${language} reason=${reason} /></li>`)}
  </ul>`;
}

// The bars to come (`upcoming`, a plan's `vendorBarsToCome`): a vendor free to bid on the day
// is not free for the life of a contract a bar begins under, so each is said first by the day
// it begins, "barred from <day> (<the sanction>)", under `lead` (eligible on the day or not),
// with what the caller adds below (`children`); nothing when none is recorded.
export function BarsToCome({ t, language, bars, lead, children }) {
  if (!bars.length) return null;
  return html`<div class="to-come">
    <strong>${lead}</strong>
    <ul class="reasons">
      ${bars.map((bar) => {
        const from = bar.barsFrom ?? bar.startsOn;
        return html`<li data-to-come=${bar.sanctionId} data-bars-from=${from}>
          ${t("toCome.barredFrom")} <${DateText} iso=${from} language=${language} />
          ${" ("}<${Reason} t=${t} language=${language} reason=${bar} />)
        </li>`;
      })}
    </ul>
    ${children}
  </div>`;
}
