// The risk board: the riskiest vendors (riskiestVendors), filtered by agency and band, kept
// current by riskUpdates and eligibilityChanges. A vendor whose risk moves is highlighted with
// its move (old → new score and band) and the board is read again, so its rank is the API's;
// an eligibility change is marked on the vendor's row. What arrives is also listed, newest
// first, for the analyst who looked away. Only announced moves arrive (risk.changed: a band
// change or a move of the model's announcing step): a smaller move, or factors moving under
// a score held at the cap of 100, is announced to no one, so the board says when its figures
// were read and reads them again on request (`Freshness`). The filters are the address's
// (`#/risk?agency=…&band=…`, address.js), so Back, a reload or a bookmark finds them.
import { useEffect, useRef, useState } from "preact/hooks";
import { filtersLink } from "./address.js";
import { ApiRefusal } from "./api.js";
import { html } from "./html.js";
import { DateText, InstantText, oneDecimal } from "./i18n.js";
import { useLiveStatus, useReloadOnConnect, useSubscription } from "./live.js";
import { useLatestOnly } from "./reads.js";
import { Refusal } from "./signin.js";
import { MOST_NAMED, vendorNames } from "./vendornames.js";

export const BANDS = ["LOW", "MEDIUM", "HIGH", "CRITICAL"];
// At most as many rows as one request may name vendors by alias (vendornames.js).
const BOARD_SIZE = MOST_NAMED;
const FEED_SIZE = 20;

const BOARD = `query ConsoleRiskBoard($first: Int!, $agency: String, $band: RiskBand) {
  riskiestVendors(first: $first, agency: $agency, band: $band) {
    vendorId asOf score band factors { name contribution }
  }
}`;
const MOVES = `subscription ConsoleRiskMoves {
  riskUpdates { eventId vendorId oldScore newScore oldBand newBand movedFactors asOf }
}`;
const ELIGIBILITY = `subscription ConsoleEligibilityChanges {
  eligibilityChanges { eventId vendorId asOf eligible eligibleAgainOn reasons { sanctionId kind } }
}`;

async function boardOf(api, filters) {
  const { riskiestVendors } = await api(BOARD, {
    first: BOARD_SIZE,
    agency: filters.agency || null,
    band: filters.band || null,
  });
  // The vendors' legal names in one request: riskiestVendors gives ids only.
  const names = await vendorNames(api, riskiestVendors.map((row) => row.vendorId));
  return riskiestVendors.map((row) => ({ ...row, legalName: names.get(row.vendorId) ?? null }));
}

export function riskLink(vendorId) {
  return `#/risk-vendor/${encodeURIComponent(vendorId)}`;
}


export function Band({ t, band }) {
  return html`<span class=${`band band-${band}`}>${t(`band.${band}`)}</span>`;
}

function Filters({ t, agencies, applied, apply }) {
  const [agency, setAgency] = useState(applied.agency);
  const [band, setBand] = useState(applied.band);
  // The fields show the filters applied when the address changes under them (Back).
  useEffect(() => {
    setAgency(applied.agency);
    setBand(applied.band);
  }, [applied.agency, applied.band]);
  const submit = (event) => {
    event.preventDefault();
    apply({ agency: agency.trim(), band });
  };
  return html`<form class="inline filters" onSubmit=${submit}>
    <label for="risk-agency">${t("risk.agency")}</label>
    <input
      id="risk-agency"
      list="risk-agencies"
      placeholder=${t("risk.anyAgency")}
      value=${agency}
      onInput=${(event) => setAgency(event.target.value)}
    />
    <datalist id="risk-agencies">${agencies.map((name) => html`<option value=${name} />`)}</datalist>
    <label for="risk-band">${t("risk.band")}</label>
    <select id="risk-band" value=${band} onChange=${(event) => setBand(event.target.value)}>
      <option value="">${t("risk.anyBand")}</option>
      ${BANDS.map((code) => html`<option value=${code}>${t(`band.${code}`)}</option>`)}
    </select>
    <button type="submit">${t("risk.apply")}</button>
  </form>`;
}

// A move from the score its row showed: the API's oldScore is the last score it announced,
// null when it never announced one (a low score is not announced), though the board showed it.
function fromShown(move, rows) {
  const row = (rows ?? []).find((shown) => shown.vendorId === move.vendorId);
  return move.oldScore === null && row ? { ...move, oldScore: row.score } : move;
}

// A move, with the day its new score is of when the API says it (`RiskUpdate.asOf`: the
// risk service's today when it scored, not the day of the event that moved it; null in
// announcements made before the day was said, and for a move the board read itself).
function Move({ t, language, move }) {
  const direction = move.newScore >= (move.oldScore ?? 0) ? "↑" : "↓";
  const before = move.oldScore === null ? t("risk.firstScore") : oneDecimal(move.oldScore);
  const day = move.asOf
    ? html` <span class="move-day"
          >(${t("risk.scoreOf")} <${DateText} iso=${move.asOf} language=${language} />)</span
        >`
    : null;
  return html`<span class="move">${direction} ${before} → ${oneDecimal(move.newScore)}${day}</span>`;
}

function EligibilityNote({ t, language, change }) {
  const from = html`<${DateText} iso=${change.asOf} language=${language} />`;
  if (change.eligible) {
    return html`<span class="status status-ELIGIBLE">${t("risk.eligibleFrom")} ${from}</span>`;
  }
  const again = change.eligibleAgainOn
    ? html`${" · "}${t("screening.eligibleAgainOn")} <${DateText}
          iso=${change.eligibleAgainOn}
          language=${language}
        />`
    : null;
  return html`<span class="status status-BARRED">${t("risk.barredFrom")} ${from}${again}</span>`;
}

function BoardTable({ t, language, rows, moved, eligibility }) {
  if (rows.length === 0) return html`<p class="empty">${t("risk.none")}</p>`;
  return html`<table class="risk-board">
    <caption>${t("risk.caption", { count: rows.length })}</caption>
    <thead>
      <tr>
        <th scope="col">${t("risk.rank")}</th>
        <th scope="col">${t("search.vendor")}</th>
        <th scope="col">${t("risk.score")}</th>
        <th scope="col">${t("risk.band")}</th>
        <th scope="col">${t("risk.factors")}</th>
        <th scope="col">${t("risk.live")}</th>
      </tr>
    </thead>
    <tbody>
      ${rows.map((row, i) => {
        const move = moved.get(row.vendorId);
        const change = eligibility.get(row.vendorId);
        return html`<tr
          data-vendor=${row.vendorId}
          data-band=${row.band}
          class=${move || change ? "moved" : null}
        >
          <td class="number">${i + 1}</td>
          <td class="name">
            <a href=${riskLink(row.vendorId)}>${row.legalName ?? row.vendorId}</a>
            <small>${row.vendorId}</small>
          </td>
          <td class="number score">${oneDecimal(row.score)}</td>
          <td><${Band} t=${t} band=${row.band} /></td>
          <td>
            ${row.factors
              .map((factor) => `${t(`factor.${factor.name}`, {}, factor.name)} ${oneDecimal(factor.contribution)}`)
              .join(" · ")}
          </td>
          <td>
            ${move ? html`<${Move} t=${t} language=${language} move=${move} />` : null}
            ${change ? html` <${EligibilityNote} t=${t} language=${language} change=${change} />` : null}
          </td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}

function Feed({ t, language, feed }) {
  return html`<section aria-labelledby="feed-title" class="feed">
    <h3 id="feed-title">${t("risk.feed")}</h3>
    <ol aria-live="polite">
      ${feed.length === 0 ? html`<li class="empty">${t("risk.feedEmpty")}</li>` : null}
      ${feed.map(
        (entry) => html`<li key=${entry.eventId} data-kind=${entry.kind}>
          <${InstantText} iso=${entry.at} language=${language} />${" · "}
          <a href=${riskLink(entry.vendorId)}>${entry.vendorId}</a>${": "}
          ${entry.kind === "risk"
            ? html`<${Move} t=${t} language=${language} move=${entry} /> (${t(`band.${entry.newBand}`)})${" "}
                ${entry.movedFactors.map((name) => t(`factor.${name}`, {}, name)).join(", ")}`
            : html`<${EligibilityNote} t=${t} language=${language} change=${entry} />`}
        </li>`,
      )}
    </ol>
  </section>`;
}

// When the figures shown were read, that they can have moved since without an announcement,
// and a button to read them again (ARCHITECTURE.md, "The console": the gap).
export function Freshness({ t, language, readAt, reload }) {
  if (!readAt) return null;
  return html`<p class="freshness">
    ${t("risk.readAt")} <${InstantText} iso=${readAt} language=${language} />.${" "}
    ${t("risk.unannounced")}${" "}
    <button type="button" onClick=${() => reload()}>${t("risk.readAgain")}</button>
  </p>`;
}

export function LiveStatus({ t, live }) {
  const status = useLiveStatus(live);
  return html`<p class=${`live live-${status}`} role="status">${t(`live.${status}`)}</p>`;
}

export function RiskBoardScreen({ session, filters: asked }) {
  const { t, language, api, live, agencies } = session;
  const filters = { agency: asked.agency ?? "", band: asked.band ?? "" };
  const [state, setState] = useState({ rows: null, refused: null, readAt: null });
  const [moved, setMoved] = useState(new Map());
  const [eligibility, setEligibility] = useState(new Map());
  const [feed, setFeed] = useState([]);
  // Only the latest read is shown: reads started by moves in quick succession may answer
  // out of order.
  const begin = useLatestOnly();
  const filtersNow = useRef(filters);
  filtersNow.current = filters;
  const shownRows = useRef(null);
  shownRows.current = state.rows;
  // `missed`: after the connection came back, moves announced while it was down are marked
  // from the board itself (each shown vendor whose score is not the one shown before).
  const reload = async (missed = false) => {
    const isLatest = begin();
    try {
      const rows = await boardOf(api, filtersNow.current);
      if (!isLatest()) return;
      if (missed) markMissed(shownRows.current ?? [], rows);
      setState({ rows, refused: null, readAt: new Date().toISOString() });
    } catch (error) {
      if (!(error instanceof ApiRefusal)) throw error;
      if (isLatest()) setState({ rows: null, refused: error.messages, readAt: null });
    }
  };
  // The board read afresh for its filters: the marks were of the rows shown before.
  const readAfresh = () => {
    setMoved(new Map());
    setEligibility(new Map());
    reload();
  };
  // Other filters: applied, or the address's on Back.
  useEffect(readAfresh, [filters.agency, filters.band]);
  const markMissed = (before, after) => {
    const was = new Map(before.map((row) => [row.vendorId, row]));
    const changed = after.filter((row) => was.has(row.vendorId) && was.get(row.vendorId).score !== row.score);
    if (changed.length === 0) return;
    setMoved((now) => {
      const next = new Map(now);
      changed.forEach((row) => next.set(row.vendorId, { oldScore: was.get(row.vendorId).score, newScore: row.score }));
      return next;
    });
  };
  useReloadOnConnect(live, () => reload(true));
  const refused = (messages) => setState((now) => ({ ...now, refused: messages }));
  const arrived = (entry) => setFeed((now) => [entry, ...now].slice(0, FEED_SIZE));
  useSubscription(live, MOVES, {}, "moves", ({ riskUpdates }) => {
    const move = fromShown(riskUpdates, shownRows.current);
    setMoved((now) => new Map(now).set(move.vendorId, move));
    arrived({ ...move, kind: "risk", at: new Date().toISOString() });
    reload();
  }, refused);
  useSubscription(live, ELIGIBILITY, {}, "eligibility", ({ eligibilityChanges: change }) => {
    setEligibility((now) => new Map(now).set(change.vendorId, change));
    arrived({ ...change, kind: "eligibility", at: new Date().toISOString() });
    reload();
  }, refused);
  const apply = (next) => {
    if (next.agency !== filters.agency || next.band !== filters.band) {
      location.hash = filtersLink("risk", next);
      return;
    }
    readAfresh(); // the same filters again: read again, with no new entry in the history
  };
  return html`<h2>${t("risk.title")}</h2>
    <${LiveStatus} t=${t} live=${live} />
    <${Filters} t=${t} agencies=${agencies} applied=${filters} apply=${apply} />
    <${Refusal} t=${t} messages=${state.refused} />
    <${Freshness} t=${t} language=${language} readAt=${state.readAt} reload=${() => reload(true)} />
    ${state.rows === null
      ? state.refused
        ? null
        : html`<p aria-live="polite">${t("loading")}</p>`
      : html`<${BoardTable}
          t=${t}
          language=${language}
          rows=${state.rows}
          moved=${moved}
          eligibility=${eligibility}
        />`}
    <${Feed} t=${t} language=${language} feed=${feed} />`;
}
