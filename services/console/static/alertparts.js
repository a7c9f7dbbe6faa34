// An alert as the alerts screen shows it: what changed for which vendor (the sanctions that
// bar it there and the day it may bid there again, a lift's bars to come, an imported entry
// that may be it, the contract awarded while it was barred), the watchlists that caught it,
// where its webhook delivery stands, and who acknowledged it.
import { html } from "./html.js";
import { DateText, InstantText, oneDecimal } from "./i18n.js";
import { BarsToCome, Reasons } from "./reasons.js";
import { vendorLink } from "./search.js";

// The automatic watchlist's name, as the API gives it (`Watchlist.name`, `Alert.watchlists`).
export const RUNNING_CONTRACTS = "running contracts";

// A watchlist's name in the user's language: the automatic one's said as such.
export const watchlistName = (t, name) => (name === RUNNING_CONTRACTS ? t("watchlists.automaticName") : name);

const REASON = "sanctionId kind authority startsOn barsFrom resumed endsOn viaVendorId";
// Every field the screen shows of an alert.
export const ALERT_FIELDS = `id alertId agency vendorId change asOf eligibleAgainOn raisedAt
  reasons { ${REASON} } extendedBy { ${REASON} } upcoming { ${REASON} } watchlists causeEventId
  acknowledgedAt acknowledgedBy note
  possibleMatch { vendorId name source line matchedName score why }
  award { contractId title category }
  delivery { url state attempts lastStatus lastError lastTryAt nextTryAt deliveredAt waitingSince }`;

export function VendorCell({ vendorId, name }) {
  return html`<a href=${vendorLink(vendorId)}>${name ?? vendorId}</a>${name ? html`<small class="id">${vendorId}</small>` : null}`;
}

// What changed, in words, then what the alert says of it.
export function ChangeCell({ t, language, alert }) {
  const barred = ["BARRED", "PERIOD_CHANGED", "ALREADY_BARRED", "AWARDED_WHILE_BARRED"].includes(alert.change);
  const day = (iso) => html`<${DateText} iso=${iso} language=${language} />`;
  const match = alert.possibleMatch;
  return html`<span class=${`status alert-${alert.change} ${barred ? "status-BARRED" : alert.change === "LIFTED" ? "status-ELIGIBLE" : "status-POSSIBLE_MATCH"}`}
      >${t(`alertChange.${alert.change}`)}</span
    >
    <div class="why">${t(`alertWhy.${alert.change}`)}</div>
    ${alert.award
      ? html`<p class="award" data-contract=${alert.award.contractId}>
          ${t("alerts.award", { contract: alert.award.contractId, title: alert.award.title, category: alert.award.category })}
        </p>`
      : null}
    ${match
      ? html`<p class="possible-match">
          ${t("alerts.possibleMatch", { name: match.name, line: match.line, source: match.source, matched: match.matchedName, score: oneDecimal(match.score) })}
          ${" "}<a href=${vendorLink(match.vendorId)}>${t("alerts.entryVendor")}</a>
          <span class="why">${match.why}</span>
        </p>`
      : null}
    ${alert.reasons.length ? html`<${Reasons} t=${t} language=${language} reasons=${alert.reasons} />` : null}
    ${barred && alert.reasons.length
      ? html`<p class="again-on">
          ${alert.eligibleAgainOn ? html`${t("alerts.againOn")} ${day(alert.eligibleAgainOn)}` : t("alerts.noEnd")}
        </p>`
      : null}
    ${alert.extendedBy.length
      ? html`<div class="extended-by">
          ${t("alerts.extendedBy")}
          <${Reasons} t=${t} language=${language} reasons=${alert.extendedBy} />
        </div>`
      : null}
    <${BarsToCome} t=${t} language=${language} bars=${alert.upcoming} lead=${t("alerts.upcoming")} />`;
}

export function WatchlistsCell({ t, alert }) {
  if (alert.watchlists.length === 0) return html`<span class="note">${t("alerts.notWatching")}</span>`;
  return html`<ul class="watchlists">
    ${alert.watchlists.map((name) => html`<li data-watchlist=${name}>${watchlistName(t, name)}</li>`)}
  </ul>`;
}

// Where the webhook delivery stands: none when the agency had no webhook.
export function DeliveryCell({ t, language, delivery }) {
  if (!delivery) return html`<span class="note" data-delivery="none">${t("alerts.noWebhook")}</span>`;
  const at = (iso) => html`<${InstantText} iso=${iso} language=${language} />`;
  const { state, attempts, lastStatus, lastError, nextTryAt, deliveredAt, waitingSince } = delivery;
  return html`<div data-delivery=${state}>
    <strong>${t(`webhookState.${state}`)}</strong>
    <div class="why">${t("alerts.attempts", { count: attempts })}${lastStatus ? ` · HTTP ${lastStatus}` : ""}</div>
    ${deliveredAt ? html`<div>${t("alerts.deliveredAt")} ${at(deliveredAt)}</div>` : null}
    ${nextTryAt ? html`<div>${t("alerts.nextTry")} ${at(nextTryAt)}</div>` : null}
    ${waitingSince ? html`<div>${t("alerts.waitingSince")} ${at(waitingSince)}</div>` : null}
    ${lastError ? html`<div class="error">${lastError}</div>` : null}
    <small class="id">${delivery.url}</small>
  </div>`;
}

// Who acknowledged it, when, and what they said.
export function Acknowledged({ t, language, alert }) {
  return html`<div class="acknowledged" data-acknowledged="true">
    <strong>${alert.acknowledgedBy ? t("alerts.acknowledgedBy", { who: alert.acknowledgedBy }) : t("alerts.acknowledgedUnsigned")}</strong>
    <div><${InstantText} iso=${alert.acknowledgedAt} language=${language} /></div>
    ${alert.note ? html`<p class="ack-note">${alert.note}</p>` : null}
  </div>`;
}
