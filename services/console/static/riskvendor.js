// One vendor's risk: today's score factor by factor (its points and the events behind them,
// with the risk model's note on what they count for) and the score's history as a chart.
// Read again whenever riskUpdates says this vendor's risk moved, and on request: factors can
// move without an announcement (risk.js's `Freshness`). A history longer than a page shows its
// latest changes first (what an analyst reads a vendor's risk for), says which of how many and
// of which days, and pages back to earlier ones.
import { useState } from "preact/hooks";
import { html } from "./html.js";
import { DateText, oneDecimal } from "./i18n.js";
import { useReloadOnConnect, useSubscription } from "./live.js";
import { useRead } from "./reads.js";
import { Band, Freshness, LiveStatus } from "./risk.js";
import { ScoreHistoryChart } from "./riskchart.js";
import { vendorLink } from "./search.js";
import { Refusal } from "./signin.js";

// The API's largest page; a longer history is read a page at a time, the latest first.
const HISTORY_PAGE = 500;

// The score through the vendor: an id the registry does not hold is then a null vendor, said
// as such below (the root `riskScore` refuses it, which would fail the whole answer). The
// history's page: the `last` before a cursor (none: the latest), or the `first` after one.
const RISK = `query ConsoleVendorRisk(
  $vendorId: ID!, $first: Int, $after: String, $last: Int, $before: String
) {
  vendor(vendorId: $vendorId) {
    legalName
    riskScore {
      asOf score band modelVersion
      factors { name contribution evidence { eventIds note vendorId } }
    }
  }
  riskHistory(vendorId: $vendorId, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { node { asOf score band factors { name } } }
  }
}`;
const MOVES = `subscription ConsoleVendorRiskMoves($vendorIds: [ID!]) {
  riskUpdates(vendorIds: $vendorIds) { eventId }
}`;

function Factors({ t, score }) {
  if (score.factors.length === 0) return html`<p class="empty">${t("riskVendor.noFactors")}</p>`;
  return html`<table class="factors">
    <caption>${t("riskVendor.breakdown", { score: oneDecimal(score.score), model: score.modelVersion })}</caption>
    <thead>
      <tr>
        <th scope="col">${t("riskVendor.factor")}</th>
        <th scope="col">${t("riskVendor.points")}</th>
        <th scope="col">${t("riskVendor.evidence")}</th>
      </tr>
    </thead>
    <tbody>
      ${score.factors.map(
        (factor) => html`<tr data-factor=${factor.name}>
          <th scope="row">
            ${t(`factor.${factor.name}`, {}, factor.name)} <code>${factor.name}</code>
          </th>
          <td class="number">${oneDecimal(factor.contribution)}</td>
          <td>
            <ul class="evidence">
              ${factor.evidence.map(
                (evidence) => html`<li>
                  ${evidence.note}
                  ${evidence.vendorId
                    ? html` (${t("riskVendor.of")} <a href=${vendorLink(evidence.vendorId)}>${evidence.vendorId}</a>)`
                    : null}
                  <div class="why">
                    ${t("riskVendor.events")} ${evidence.eventIds.map((id) => html`<code>${id}</code> `)}
                  </div>
                </li>`,
              )}
            </ul>
          </td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

// Which page of the history is shown, and how to ask for it: `after` a cursor (paging on to
// later changes), `before` one (back to earlier ones), or neither (the latest).
const pageAsked = ({ after, before }) =>
  after ? { first: HISTORY_PAGE, after } : { last: HISTORY_PAGE, before: before ?? null };

// The first and last day of a page's changes (ISO days sort as text).
function daysOf(history) {
  const days = history.map((point) => point.asOf.slice(0, 10)).sort();
  return [days[0], days[days.length - 1]];
}

// What part of a longer history the page shows, and the way to the others.
function HistoryPages({ t, language, connection, history, turn }) {
  const { totalCount, pageInfo } = connection;
  if (totalCount <= history.length && !pageInfo.hasPreviousPage && !pageInfo.hasNextPage) return null;
  const latest = !pageInfo.hasNextPage;
  const [from, to] = history.length ? daysOf(history) : [null, null];
  const values = { count: history.length, total: totalCount };
  return html`<p class="history-shown">
      ${t(latest ? "riskVendor.shownLatest" : "riskVendor.shownEarlier", values)}
      ${from
        ? html` <${DateText} iso=${from} language=${language} />${" – "}<${DateText}
              iso=${to}
              language=${language}
            />.`
        : null}
    </p>
    <nav class="history-pages" aria-label=${t("riskVendor.historyPages")}>
      ${pageInfo.hasPreviousPage
        ? html`<button type="button" data-page="earlier" onClick=${() => turn({ before: pageInfo.startCursor })}>
            ${t("riskVendor.earlier")}
          </button> `
        : null}
      ${latest
        ? null
        : html`<button type="button" data-page="later" onClick=${() => turn({ after: pageInfo.endCursor })}>
              ${t("riskVendor.later")}
            </button>
            <button type="button" data-page="latest" onClick=${() => turn({})}>${t("riskVendor.latest")}</button>`}
    </nav>`;
}

export function RiskVendorScreen({ session, argument }) {
  const { t, language, api, live } = session;
  // The page asked, for the vendor it was asked for: another vendor's page starts at the latest.
  const [paged, setPaged] = useState({ vendor: argument });
  const page = paged.vendor === argument ? paged : { vendor: argument };
  const turn = (cursor) => setPaged({ vendor: argument, ...cursor });
  const key = argument ? `${argument} ${page.after ?? ""} ${page.before ?? ""}` : null;
  const read = useRead(key, async () => ({
    ...(await api(RISK, { vendorId: argument, ...pageAsked(page) })),
    readAt: new Date().toISOString(),
  }));
  useReloadOnConnect(live, read.reload);
  useSubscription(live, MOVES, { vendorIds: [argument] }, argument, read.reload, read.refuse);
  if (!argument) return html`<p role="alert">${t("vendor.noneNamed")}</p>`;
  if (read.refused) return html`<${Refusal} t=${t} messages=${read.refused} />`;
  const risk = read.value;
  if (risk === undefined) return html`<p aria-live="polite">${t("loading")}</p>`;
  if (risk.vendor === null) return html`<p role="alert">${t("vendor.unknown", { id: argument })}</p>`;
  const score = risk.vendor.riskScore;
  const history = risk.riskHistory.edges.map((edge) => edge.node);
  return html`<h2>
      ${t("riskVendor.title", { vendor: risk.vendor.legalName })}
      <small><a href=${vendorLink(argument)}>${argument}</a></small>
    </h2>
    <${LiveStatus} t=${t} live=${live} />
    <${Freshness} t=${t} language=${language} readAt=${risk.readAt} reload=${read.reload} />
    <p class="risk-now">
      <span class="score">${oneDecimal(score.score)}</span> <${Band} t=${t} band=${score.band} />
      ${" "}${t("riskVendor.asOfDay")} <${DateText} iso=${score.asOf} language=${language} />
    </p>
    <section aria-labelledby="breakdown-title">
      <h3 id="breakdown-title">${t("riskVendor.breakdownTitle")}</h3>
      <${Factors} t=${t} score=${score} />
    </section>
    <section aria-labelledby="history-title">
      <h3 id="history-title">${t("riskVendor.history", { count: risk.riskHistory.totalCount })}</h3>
      <${HistoryPages} t=${t} language=${language} connection=${risk.riskHistory} history=${history} turn=${turn} />
      <${ScoreHistoryChart}
        t=${t}
        language=${language}
        history=${history}
        now=${risk.riskHistory.pageInfo.hasNextPage ? null : score}
        total=${risk.riskHistory.totalCount}
        labelledBy="history-title"
      />
    </section>`;
}
