// A vendor's sanctions on one calendar bar: each sanction's barred days (its `barredPeriods`:
// more than one for a sanction extended after a gap, the vendor free to bid between them),
// then its bars through affiliates (an affiliate's sanction covering affiliates, while they
// are affiliated: `through`, as `bidEligibility` gives them, each bar from its own first day),
// drawn apart from its own, and below them the days it may bid (the gaps). `today`:
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

// The stretches a sanction bars, as day numbers [first, last] (last null: open-ended).
function periods(sanction) {
  return sanction.barredPeriods.map((p) => [day(p.startsOn), p.endsOn ? day(p.endsOn) : null]);
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

// Bars through affiliates, one track per affiliate's sanction: [{sanctionId, viaVendorId,
// label, spans: [[first, last]]}] in the order first met.
function throughTracks(t, through) {
  const tracks = new Map();
  for (const bar of through) {
    const key = `${bar.viaVendorId}\u0000${bar.sanctionId}`;
    if (!tracks.has(key)) {
      const label = t("calendar.through", { sanction: bar.sanctionId, vendor: bar.viaVendorId });
      tracks.set(key, { sanctionId: bar.sanctionId, viaVendorId: bar.viaVendorId, label, spans: [] });
    }
    tracks.get(key).spans.push([day(bar.startsOn), bar.endsOn ? day(bar.endsOn) : null]);
  }
  return [...tracks.values()];
}

export function SanctionCalendar({ t, language, sanctions, through = [], today: todayIso }) {
  const today = day(todayIso);
  const shown = ([first, last]) => [first, last ?? Math.max(today, first) + 365];
  const viaTracks = throughTracks(t, through);
  const spans = [...sanctions.flatMap(periods), ...viaTracks.flatMap((track) => track.spans)].map(shown);
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
      const stretches = periods(sanction);
      if (stretches.length === 0) return null; // lifted before it began
      return html`<div class="track" data-sanction=${sanction.sanctionId}>
        <span class="track-label">${sanction.sanctionId}</span>
        <span class="track-bars"
          >${stretches.map(([first, last]) => {
            const label = `${sanction.sanctionId}: ${iso(first)} – ${last === null ? t("sanction.openEnded") : iso(last)}`;
            const [, to] = shown([first, last]);
            return html`<${Bar} from=${first} to=${to} start=${start} end=${end} className="barred" label=${label} />`;
          })}</span
        >
      </div>`;
    })}
    ${viaTracks.map(
      (track) => html`<div class="track through" data-through=${track.viaVendorId} data-sanction-through=${track.sanctionId}>
        <span class="track-label">${track.label}</span>
        <span class="track-bars"
          >${track.spans.map(([first, last]) => {
            const label = `${track.label}: ${iso(first)} – ${last === null ? t("sanction.openEnded") : iso(last)}`;
            const [, to] = shown([first, last]);
            return html`<${Bar} from=${first} to=${to} start=${start} end=${end} className="barred through" label=${label} />`;
          })}</span
        >
      </div>`,
    )}
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
