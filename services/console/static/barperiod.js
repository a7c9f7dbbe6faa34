// What a reason's period reads as, wherever a reason is shown (screening, a migration item's
// "barred by", a vendor's answer for today).
import { html } from "./html.js";
import { DateText } from "./i18n.js";

// A bar's days: from its own first day (`barsFrom`) to its last. That is the sanction's first
// day unless the bar began later: through an affiliation that began after the sanction, or
// after a gap in the sanction ("resumed"); then the sanction's first day is said apart, so
// that the period does not read as one bar since then.
export function BarPeriod({ t, language, reason }) {
  const from = reason.barsFrom ?? reason.startsOn;
  return html`<span class="bar-period" data-bars-from=${from}>
    <${DateText} iso=${from} language=${language} />${" – "}${reason.endsOn
      ? html`<${DateText} iso=${reason.endsOn} language=${language} />`
      : t("sanction.openEnded")}${reason.resumed
      ? html`${" · "}<span class="resumed">${t("screening.resumed")}</span>`
      : null}${from !== reason.startsOn
      ? html`${" "}(${t("screening.sanctionFrom")} <${DateText} iso=${reason.startsOn} language=${language} />)`
      : null}
  </span>`;
}
