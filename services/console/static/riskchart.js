// A vendor's score history as a small SVG step chart drawn here (no chart library: a step line,
// a 0–100 axis and two dates need no more): each recorded score holds from its day to the next,
// the points coloured by band; then, when the latest changes are shown, today's score, joined
// by a dashed line (between the last change and today the score decays day by day, which the
// history does not record). A page of a longer history says which of how many changes it
// draws. The same figures as a table for screen readers and keyboard users.
import { html } from "./html.js";
import { DateText, oneDecimal } from "./i18n.js";

const WIDTH = 720;
const HEIGHT = 240;
const MARGIN = { left: 40, right: 16, top: 12, bottom: 28 };
const TICKS = [0, 25, 50, 75, 100];
const DAY_MS = 86400000;

const dayNumber = (iso) => Date.parse(`${iso.slice(0, 10)}T00:00:00Z`) / DAY_MS;

// The points to draw: x by day (points of one day spread evenly within it, in log order, so
// that each stays visible), y by score.
function placed(points) {
  const first = dayNumber(points[0].asOf);
  const last = dayNumber(points[points.length - 1].asOf);
  const span = Math.max(last - first, 1);
  const inner = WIDTH - MARGIN.left - MARGIN.right;
  const sameDay = new Map();
  points.forEach((point) => sameDay.set(point.asOf, (sameDay.get(point.asOf) ?? 0) + 1));
  const seen = new Map();
  return points.map((point) => {
    const index = seen.get(point.asOf) ?? 0;
    seen.set(point.asOf, index + 1);
    const within = index / sameDay.get(point.asOf);
    const x = MARGIN.left + ((dayNumber(point.asOf) - first + within) / (span + 1)) * inner;
    const y = MARGIN.top + (1 - point.score / 100) * (HEIGHT - MARGIN.top - MARGIN.bottom);
    return { ...point, x, y };
  });
}

function stepPath(points) {
  return points
    .map((point, i) => (i === 0 ? `M ${point.x} ${point.y}` : `H ${point.x} V ${point.y}`))
    .join(" ");
}

// The history by day: the API gives it in log order, which is not the days' order when events
// were recorded out of date order (a late report of an old incident). Array.sort is stable, so
// the changes of one day keep their log order.
function byDay(history) {
  return [...history].sort((a, b) => dayNumber(a.asOf) - dayNumber(b.asOf));
}

// `now`: today's score ({asOf, score, band}), drawn after the latest changes; null for a page
// of earlier ones (later changes, not drawn, came between them and today). `total`: how many
// changes the history has in all, of which `history` is a page.
export function ScoreHistoryChart({ t, language, history: logged, now, total, labelledBy }) {
  if (logged.length === 0) return html`<p class="empty">${t("riskVendor.noHistory")}</p>`;
  const history = byDay(logged);
  const recorded = placed(now ? [...history, now] : history);
  const today = now ? recorded.pop() : null;
  const last = recorded[recorded.length - 1];
  const end = now ?? last;
  const summary =
    total > history.length
      ? t("riskVendor.historySummaryOf", { count: history.length, total })
      : t("riskVendor.historySummary", { count: history.length });
  const bottom = HEIGHT - MARGIN.bottom;
  const yOf = (score) => MARGIN.top + (1 - score / 100) * (HEIGHT - MARGIN.top - MARGIN.bottom);
  const first = history[0].asOf;
  return html`<figure class="history-chart">
    <svg
      viewBox=${`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-labelledby=${labelledBy}
      aria-describedby="history-summary"
    >
      ${TICKS.map(
        (tick) => html`<g class="tick">
          <line x1=${MARGIN.left} x2=${WIDTH - MARGIN.right} y1=${yOf(tick)} y2=${yOf(tick)} />
          <text x=${MARGIN.left - 6} y=${yOf(tick) + 4} text-anchor="end">${tick}</text>
        </g>`,
      )}
      <text class="axis-date" x=${MARGIN.left} y=${HEIGHT - 8}>${first}</text>
      <text class="axis-date" x=${WIDTH - MARGIN.right} y=${HEIGHT - 8} text-anchor="end">${end.asOf}</text>
      <line class="axis" x1=${MARGIN.left} x2=${MARGIN.left} y1=${MARGIN.top} y2=${bottom} />
      <path class="history-line" d=${stepPath(recorded)} />
      ${today
        ? html`<line class="history-since" x1=${last.x} y1=${last.y} x2=${today.x} y2=${today.y} />`
        : null}
      ${recorded.map(
        (point) => html`<circle class=${`point point-${point.band}`} cx=${point.x} cy=${point.y} r="4">
          <title>${point.asOf}: ${oneDecimal(point.score)} (${t(`band.${point.band}`)})</title>
        </circle>`,
      )}
      ${today
        ? html`<rect class=${`point today point-${now.band}`} x=${today.x - 5} y=${today.y - 5} width="10" height="10">
            <title>${t("riskVendor.today")} ${now.asOf}: ${oneDecimal(now.score)} (${t(`band.${now.band}`)})</title>
          </rect>`
        : null}
    </svg>
    <figcaption id="history-summary">
      ${summary} <${DateText} iso=${first} language=${language} />
      ${" – "}<${DateText} iso=${last.asOf} language=${language} />
      ${now
        ? html`${"; "}${t("riskVendor.today")}${" "}
            <${DateText} iso=${now.asOf} language=${language} />: ${oneDecimal(now.score)}`
        : null}
    </figcaption>
    <details>
      <summary>${t("riskVendor.historyTable")}</summary>
      <table class="history">
        <thead>
          <tr>
            <th scope="col">${t("riskVendor.asOf")}</th>
            <th scope="col">${t("risk.score")}</th>
            <th scope="col">${t("risk.band")}</th>
            <th scope="col">${t("risk.factors")}</th>
          </tr>
        </thead>
        <tbody>
          ${history.map(
            (point) => html`<tr>
              <td><${DateText} iso=${point.asOf} language=${language} /></td>
              <td class="number">${oneDecimal(point.score)}</td>
              <td>${t(`band.${point.band}`)}</td>
              <td>${point.factors.map((f) => t(`factor.${f.name}`, {}, f.name)).join(", ")}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </details>
  </figure>`;
}
