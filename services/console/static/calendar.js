// A vendor's sanctions on one calendar bar: each sanction's barred days (to its last day, or
// to the day before it was lifted), and below them the days it may bid (the gaps). `today`:
// the registry's (the API's `today`), which an open-ended sanction's bar runs a year past.
import { html } from "./html.js";
import { DateText } from "./i18n.js";

const DAY_MS = 86400000;

export function day(iso) {
  const [year, month, date] = iso.split("-").map(Number);
  return Date.UTC(year, month - 1, date) / DAY_MS;
}

export function iso(dayNumber) {
  return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
}

// The last day a sanction bars (null: open-ended).
function lastDay(sanction) {
  const lifted = sanction.liftedOn ? day(sanction.liftedOn) - 1 : null;
  const ends = sanction.endsOn ? day(sanction.endsOn) : null;
  if (lifted === null) return ends;
  return ends === null ? lifted : Math.min(ends, lifted);
}

// The barred periods of all sanctions merged, in order: [first, last] day numbers.
function barredSpans(spans) {
  const merged = [];
  for (const [first, last] of [...spans].sort((a, b) => a[0] - b[0])) {
    const previous = merged[merged.length - 1];
    if (previous && first <= previous[1] + 1) previous[1] = Math.max(previous[1], last);
    else merged.push([first, last]);
  }
  return merged;
}

function Bar({ from, to, start, end, className, label }) {
  const width = end - start + 1;
  const style = {
    left: `${((from - start) / width) * 100}%`,
    width: `${Math.max(((to - from + 1) / width) * 100, 0.5)}%`,
  };
  return html`<span class=${`bar ${className}`} style=${style} title=${label} role="img"
    aria-label=${label}></span>`;
}

export function SanctionCalendar({ t, language, sanctions, today: todayIso }) {
  const today = day(todayIso);
  const spans = sanctions
    .map((sanction) => [day(sanction.startsOn), lastDay(sanction)])
    .filter(([first, last]) => last === null || last >= first)
    .map(([first, last]) => [first, last ?? Math.max(today, first) + 365]);
  if (spans.length === 0) return null;
  // From a month before the first sanction to a month after the last barred day.
  const start = Math.min(...spans.map((s) => s[0])) - 30;
  const end = Math.max(...spans.map((s) => s[1])) + 30;
  const barred = barredSpans(spans);
  const gaps = [];
  let from = start;
  for (const [first, last] of barred) {
    if (first > from) gaps.push([from, first - 1]);
    from = last + 1;
  }
  if (from <= end) gaps.push([from, end]);
  // The first and last gaps run past the bar's ends: only their inner end is a real day.
  const period = (first, last) =>
    `${first === start ? "" : iso(first)} – ${last === end ? "" : iso(last)}`.trim();
  return html`<figure class="calendar">
    <figcaption>
      ${t("calendar.caption")} <${DateText} iso=${iso(start)} language=${language} />${" – "}
      <${DateText} iso=${iso(end)} language=${language} />
    </figcaption>
    ${sanctions.map((sanction) => {
      const last = lastDay(sanction);
      const first = day(sanction.startsOn);
      if (last !== null && last < first) return null;
      const shownLast = last ?? Math.max(today, first) + 365;
      const label = `${sanction.sanctionId}: ${iso(first)} – ${last === null ? t("sanction.openEnded") : iso(last)}`;
      return html`<div class="track" data-sanction=${sanction.sanctionId}>
        <span class="track-label">${sanction.sanctionId}</span>
        <span class="track-bars"
          ><${Bar} from=${first} to=${shownLast} start=${start} end=${end} className="barred" label=${label}
        /></span>
      </div>`;
    })}
    <div class="track gaps">
      <span class="track-label">${t("calendar.eligible")}</span>
      <span class="track-bars">
        ${gaps.map(
          ([first, last]) => html`<${Bar}
            from=${first}
            to=${last}
            start=${start}
            end=${end}
            className="eligible"
            label=${`${t("calendar.eligible")}: ${period(first, last)}`}
          />`,
        )}
      </span>
    </div>
  </figure>`;
}
