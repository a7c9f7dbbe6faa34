// A migration plan's Gantt chart, drawn by the console as SVG from the plan the API answers:
// one row per item (its contract running with the barred vendor to its last day, then its
// cut-over phase, coloured by status, with its checklist count), the blackout windows across
// every row, the plan's deadline and each item's own, and today (the registry's: the API's
// `today`, not the browser's clock, whose day is UTC's or its own zone's). The table beside
// it says the same in words; the chart is for seeing the whole plan at once.
import { html } from "./html.js";
import { day, iso } from "./calendar.js";

const LABEL_WIDTH = 260;
const CHART_WIDTH = 760;
const ROW_HEIGHT = 28;
const HEAD_HEIGHT = 34;
const DAY_MS = 86400000;
// A row's label ("c01 住民記録システム") stays in its column, left of the checklist's count
// (about 40 px): cut as the server's SVG cuts a title (migration/planning/gantt.py, its
// MAX_TITLE_CELLS), by cells of ~7 px at the chart's 12 px (a wide, CJK character takes
// two, erring wide), with an ellipsis; the whole label is the row's tooltip. A long title ran
// across the month columns over the bars.
const LABEL_PX = LABEL_WIDTH - 52;
const CELL_PX = 7;
const MAX_TITLE_CELLS = 32;
// East Asian Wide and Fullwidth characters (Unicode's ranges of them): two cells each.
const WIDE = /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{1F300}-\u{1F64F}\u{20000}-\u{3FFFD}]/u;

// The first day of every month from `first` (included when it is one: a plan's first phase
// starts on the 1st, and its column had no label) to `last`.
function months(first, last) {
  const ticks = [];
  const start = new Date(first * DAY_MS);
  let year = start.getUTCFullYear();
  let month = start.getUTCMonth() + (start.getUTCDate() === 1 ? 0 : 1);
  for (;;) {
    const tick = Date.UTC(year, month, 1) / DAY_MS;
    if (tick > last) return ticks;
    ticks.push(tick);
    month += 1;
  }
}

// The days the chart spans: the plan's first day (or its first phase) to the latest of the
// phases, contracts and deadlines, with a little room after.
function span(plan) {
  const days = [day(plan.settings.startsOn)];
  for (const phase of plan.phases) days.push(day(phase.startsOn), day(phase.endsOn));
  for (const item of plan.items) {
    days.push(day(item.endsOn));
    if (item.deadlineOn) days.push(day(item.deadlineOn));
  }
  if (plan.settings.deadlineOn) days.push(day(plan.settings.deadlineOn));
  return [Math.min(...days), Math.max(...days) + 15];
}

const cells = (text) => [...text].reduce((sum, char) => sum + (WIDE.test(char) ? 2 : 1), 0);

// `text` in at most `most` cells, an ellipsis (one cell) ending what was cut.
function cut(text, most) {
  if (cells(text) <= most) return text;
  let kept = "";
  let used = 0;
  for (const char of text) {
    used += cells(char);
    if (used > most - 1) break;
    kept += char;
  }
  return `${kept}…`;
}

// The row's label as the chart writes it: the contract id, then its title in the cells left.
export function rowLabel(item) {
  const room = Math.floor(LABEL_PX / CELL_PX);
  const id = cut(item.contractId, room);
  return `${id} ${cut(item.title, Math.min(MAX_TITLE_CELLS, room - cells(id) - 1))}`.trimEnd();
}

export function checksPassed(item) {
  return `${item.checklist.filter((entry) => entry.passed).length}/${item.checklist.length}`;
}

export function Gantt({ t, plan, today: todayIso }) {
  const [first, last] = span(plan);
  const x = (dayNumber) => LABEL_WIDTH + ((dayNumber - first) / (last - first + 1)) * CHART_WIDTH;
  // Room on the right for the last month's label (written from its tick rightwards).
  const width = LABEL_WIDTH + CHART_WIDTH + 56;
  const height = HEAD_HEIGHT + plan.items.length * ROW_HEIGHT + 10;
  const bottom = height - 10;
  const phaseOf = new Map(plan.phases.map((phase) => [phase.index, phase]));
  const ticks = months(first, last);
  // A month label every n months, so that labels never overlap.
  const every = Math.max(1, Math.ceil((ticks.length * 58) / CHART_WIDTH));
  // A chart starting within a month (a plan's phases may start on any day) labels that month
  // at its left edge too, where there is room before the first month's own label.
  const roomy = ticks.length === 0 || x(ticks[0]) - x(first) >= 58;
  const lead = ticks[0] !== first && roomy ? iso(first).slice(0, 7) : null;
  const today = day(todayIso);
  const version = plan.solver ? plan.solver.version : null;
  const line = (dayNumber, className, label) => html`<line
    class=${className} x1=${x(dayNumber)} x2=${x(dayNumber)} y1=${HEAD_HEIGHT - 6} y2=${bottom}
  ><title>${label}</title></line>`;
  return html`<figure class="gantt" data-version=${version}>
    <figcaption id="gantt-title">
      ${t("migration.ganttCaption", { version: version ?? "—" })}
    </figcaption>
    <svg viewBox=${`0 0 ${width} ${height}`} role="img" aria-labelledby="gantt-title" width="100%">
      <defs><clipPath id="gantt-labels"><rect x="0" y="0" width=${LABEL_PX + 4} height=${height} /></clipPath></defs>
      ${lead !== null
        ? html`<text class="lead" x=${x(first) + 2} y=${HEAD_HEIGHT - 12}>${lead}</text>`
        : null}
      ${ticks.map(
        (tick, n) => html`<g class="tick">
          <line x1=${x(tick)} x2=${x(tick)} y1=${HEAD_HEIGHT - 6} y2=${bottom} />
          ${n % every === 0 ? html`<text x=${x(tick) + 2} y=${HEAD_HEIGHT - 12}>${iso(tick).slice(0, 7)}</text>` : null}
        </g>`,
      )}
      ${plan.settings.blackouts.map(
        (blackout) => html`<rect
          class="blackout" data-blackout=${blackout.reason}
          x=${x(day(blackout.startsOn))} y=${HEAD_HEIGHT - 6}
          width=${x(day(blackout.endsOn) + 1) - x(day(blackout.startsOn))} height=${bottom - HEAD_HEIGHT + 6}
        ><title>${t("migration.blackout")}: ${blackout.reason} (${blackout.startsOn} – ${blackout.endsOn})</title></rect>`,
      )}
      ${plan.items.map((item, row) => {
        const y = HEAD_HEIGHT + row * ROW_HEIGHT;
        const phase = item.phase === null ? null : phaseOf.get(item.phase);
        const checks = checksPassed(item);
        return html`<g
          class="row" data-contract=${item.contractId} data-status=${item.status}
          data-phase=${item.phaseLabel ?? ""} data-checks=${checks}
        >
          <text class="row-label" x="4" y=${y + 18} clip-path="url(#gantt-labels)">
            <title>${item.contractId} ${item.title}</title>${rowLabel(item)}
          </text>
          <text class="row-checks" x=${LABEL_WIDTH - 8} y=${y + 18} text-anchor="end">✓${checks}</text>
          <rect class="running" x=${x(first)} y=${y + 11} width=${Math.max(x(day(item.endsOn) + 1) - x(first), 1)} height="6">
            <title>${item.contractId}: ${t("migration.runsUntil")} ${item.endsOn}</title>
          </rect>
          ${phase
            ? html`<rect
                class=${`cutover status-${item.status}`}
                x=${x(day(phase.startsOn))} y=${y + 4}
                width=${Math.max(x(day(phase.endsOn) + 1) - x(day(phase.startsOn)), 3)} height=${ROW_HEIGHT - 8}
              ><title>${item.contractId}: ${t("migration.cutover")} ${phase.label} · ${t(`migration.status.${item.status}`)}</title></rect>`
            : null}
          ${item.deadlineOn
            ? html`<line class="item-deadline" x1=${x(day(item.deadlineOn))} x2=${x(day(item.deadlineOn))} y1=${y + 2} y2=${y + ROW_HEIGHT - 2}>
                <title>${item.contractId}: ${t("migration.deadlineOn")} ${item.deadlineOn}</title>
              </line>`
            : null}
        </g>`;
      })}
      ${plan.settings.deadlineOn
        ? line(day(plan.settings.deadlineOn), "deadline", `${t("migration.planDeadline")} ${plan.settings.deadlineOn}`)
        : null}
      ${today >= first && today <= last ? line(today, "today", `${t("migration.today")} ${iso(today)}`) : null}
    </svg>
    <ul class="legend">
      <li><span class="swatch running"></span>${t("migration.legendRunning")}</li>
      ${["PLANNED", "IN_PROGRESS", "DONE", "BLOCKED"].map(
        (status) => html`<li><span class=${`swatch status-${status}`}></span>${t(`migration.status.${status}`)}</li>`,
      )}
      <li><span class="swatch blackout"></span>${t("migration.blackout")}</li>
      <li><span class="swatch deadline"></span>${t("migration.deadlines")}</li>
    </ul>
  </figure>`;
}
