// The alerts of the agencies the user sees (`alerts`: a system owner's own, every agency's for
// the others), newest first, a page at a time: what changed for which vendor, the watchlists
// that caught it, the day, where its webhook delivery stands, and its acknowledgement (with
// the form for one not acknowledged, alertack.js). The agency, whether acknowledged, and the
// page are the address's (`#/alerts?agency=市民課&acknowledged=false`, address.js), so Back from
// a vendor, a reload or a bookmark finds the list as it was narrowed. New alerts arrive live
// (the `alerts` subscription): marked, and the first page read again; the API does not replay
// what it published while the socket was down, so the list is read again on reconnection.
import { useEffect, useRef, useState } from "preact/hooks";
import { filtersLink } from "./address.js";
import { ApiRefusal } from "./api.js";
import { AcknowledgeForm } from "./alertack.js";
import { Acknowledged, ALERT_FIELDS, ChangeCell, DeliveryCell, VendorCell, WatchlistsCell } from "./alertparts.js";
import { html } from "./html.js";
import { DateText, InstantText } from "./i18n.js";
import { useReloadOnConnect, useSubscription } from "./live.js";
import { useLatestOnly } from "./reads.js";
import { LiveStatus } from "./risk.js";
import { Refusal } from "./signin.js";
import { vendorNames } from "./vendornames.js";

const PAGE_SIZE = 20;
const ALERTS = `query ConsoleAlerts($first: Int!, $after: String, $acknowledged: Boolean, $agency: String) {
  alerts(first: $first, after: $after, acknowledged: $acknowledged, agency: $agency) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { ${ALERT_FIELDS} } }
  }
}`;
const ONE = `query ConsoleAlert($id: ID!) { node(id: $id) { ... on Alert { ${ALERT_FIELDS} } } }`;
const RAISED = `subscription ConsoleAlertsRaised($agency: String) {
  alerts(agency: $agency) { alertId agency vendorId change }
}`;
// The acknowledgement filter's values in the address: "" every alert, as the API gives by default.
const WHICH = [
  ["", "alerts.all"],
  ["false", "alerts.unacknowledged"],
  ["true", "alerts.acknowledgedOnly"],
];
// How many arrivals the screen lists (the newest first).
const SHOWN_ARRIVALS = 10;

// The address's acknowledgement filter as the API's argument: a value that is neither is sent
// as typed, for the API to refuse in its own words.
function acknowledgedArgument(text) {
  if (!text) return null;
  return { true: true, false: false }[text] ?? text;
}

async function pageOf(api, filters) {
  const { alerts } = await api(ALERTS, {
    first: PAGE_SIZE,
    after: filters.after || null,
    acknowledged: acknowledgedArgument(filters.acknowledged),
    agency: filters.agency || null,
  });
  const rows = alerts.edges.map((edge) => edge.node);
  const names = await vendorNames(api, rows.map((alert) => alert.vendorId));
  return { rows, names, total: alerts.totalCount, next: alerts.pageInfo.hasNextPage ? alerts.pageInfo.endCursor : null };
}

function Filters({ t, agencies, applied, apply }) {
  const [agency, setAgency] = useState(applied.agency);
  const [which, setWhich] = useState(applied.acknowledged);
  // The fields show the filters applied when the address changes under them (Back).
  useEffect(() => {
    setAgency(applied.agency);
    setWhich(applied.acknowledged);
  }, [applied.agency, applied.acknowledged]);
  const submit = (event) => {
    event.preventDefault();
    apply({ agency: agency.trim(), acknowledged: which });
  };
  return html`<form class="inline filters" onSubmit=${submit}>
    <label for="alerts-agency">${t("alerts.agency")}</label>
    <input id="alerts-agency" list="alerts-agencies" placeholder=${t("alerts.anyAgency")} value=${agency}
      onInput=${(event) => setAgency(event.target.value)} />
    <datalist id="alerts-agencies">${agencies.map((name) => html`<option value=${name} />`)}</datalist>
    <label for="alerts-which">${t("alerts.which")}</label>
    <select id="alerts-which" value=${which} onChange=${(event) => setWhich(event.target.value)}>
      ${WHICH.map(([value, label]) => html`<option value=${value}>${t(label)}</option>`)}
    </select>
    <button type="submit">${t("alerts.show")}</button>
  </form>`;
}

function AlertRow({ session, alert, name, fresh, focus, acknowledged }) {
  const { t, language } = session;
  const held = useRef(null);
  // Once acknowledged here, focus goes to what the alert now says (the form it was sent from
  // is gone), so a keyboard or screen-reader user hears it.
  useEffect(() => {
    if (focus && held.current) held.current.focus();
  }, [focus]);
  return html`<tr data-alert=${alert.alertId} data-change=${alert.change} data-vendor=${alert.vendorId} class=${fresh ? "moved" : null}>
    <td>
      <${DateText} iso=${alert.asOf} language=${language} />
      ${fresh ? html` <strong class="new-alert">${t("alerts.new")}</strong>` : null}
      <small>${t("alerts.raisedAt")} <${InstantText} iso=${alert.raisedAt} language=${language} /></small>
    </td>
    <td><${ChangeCell} t=${t} language=${language} alert=${alert} /></td>
    <td><${VendorCell} vendorId=${alert.vendorId} name=${name} /></td>
    <td>${alert.agency}</td>
    <td><${WatchlistsCell} t=${t} alert=${alert} /></td>
    <td><${DeliveryCell} t=${t} language=${language} delivery=${alert.delivery} /></td>
    <td ref=${held} tabindex=${focus ? "-1" : null}>
      ${alert.acknowledgedAt
        ? html`<${Acknowledged} t=${t} language=${language} alert=${alert} />`
        : html`<${AcknowledgeForm} session=${session} alert=${alert} acknowledged=${acknowledged} />`}
    </td>
  </tr>`;
}

function AlertsTable({ session, page, fresh, focused, acknowledged }) {
  const { t } = session;
  const { rows, names, total } = page;
  return html`<table class="alerts">
    <caption>${t("alerts.caption", { count: total, shown: rows.length })}</caption>
    <thead>
      <tr>
        <th scope="col">${t("alerts.day")}</th>
        <th scope="col">${t("alerts.change")}</th>
        <th scope="col">${t("alerts.vendor")}</th>
        <th scope="col">${t("alerts.agency")}</th>
        <th scope="col">${t("alerts.caughtBy")}</th>
        <th scope="col">${t("alerts.webhook")}</th>
        <th scope="col">${t("alerts.acknowledgement")}</th>
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (alert) => html`<${AlertRow} key=${alert.alertId} session=${session} alert=${alert} name=${names.get(alert.vendorId)}
          fresh=${fresh.has(alert.alertId)} focus=${focused === alert.alertId} acknowledged=${acknowledged} />`,
      )}
    </tbody>
  </table>`;
}

export function AlertsScreen({ session, filters: asked }) {
  const { t, api, live, agencies } = session;
  const filters = { agency: asked.agency ?? "", acknowledged: asked.acknowledged ?? "", after: asked.after ?? "" };
  const [state, setState] = useState({ page: null, refused: null });
  const [fresh, setFresh] = useState(new Set());
  const [arrivals, setArrivals] = useState([]);
  const [newer, setNewer] = useState(false);
  const [focused, setFocused] = useState(null);
  // Only the latest read is shown: arrivals in quick succession, and Back, cross their reads.
  const begin = useLatestOnly();
  const filtersNow = useRef(filters);
  filtersNow.current = filters;
  const reload = async () => {
    const isLatest = begin();
    try {
      const page = await pageOf(api, filtersNow.current);
      if (isLatest()) setState({ page, refused: null });
    } catch (error) {
      if (!(error instanceof ApiRefusal)) throw error;
      if (isLatest()) setState({ page: null, refused: error.messages });
    }
  };
  // Other filters or another page: read afresh; the marks were of the list shown before.
  useEffect(() => {
    setFresh(new Set());
    setNewer(false);
    reload();
  }, [filters.agency, filters.acknowledged, filters.after]);
  useReloadOnConnect(live, reload);
  const refused = (messages) => setState((now) => ({ ...now, refused: messages }));
  useSubscription(live, RAISED, { agency: filters.agency || null }, `alerts:${filters.agency}`, ({ alerts: raised }) => {
    setFresh((now) => new Set(now).add(raised.alertId));
    setArrivals((now) => [raised, ...now].slice(0, SHOWN_ARRIVALS));
    // A later page does not move under the reader: the newest are a link away.
    if (filtersNow.current.after) setNewer(true);
    else reload();
  }, refused);
  // Acknowledged here: the alert read again in its place (the list keeps it until it is read
  // again, whatever its filter), and focus on what it now says.
  const acknowledged = async (alertId) => {
    const alert = state.page?.rows.find((row) => row.alertId === alertId);
    if (!alert) return;
    const { node } = await api(ONE, { id: alert.id });
    if (!node) return;
    setState((now) => now.page
      ? { ...now, page: { ...now.page, rows: now.page.rows.map((row) => (row.alertId === alertId ? node : row)) } }
      : now);
    setFocused(alertId);
  };
  const apply = (next) => {
    if (next.agency !== filters.agency || next.acknowledged !== filters.acknowledged || filters.after) {
      location.hash = filtersLink("alerts", next);
      return;
    }
    reload(); // the same filters again: read again, with no new entry in the history
  };
  const { page } = state;
  const first = filtersLink("alerts", { agency: filters.agency, acknowledged: filters.acknowledged });
  return html`<h2>${t("alerts.title")}</h2>
    <p>${agencies.length ? t("alerts.ofAgencies", { agencies: agencies.join(", ") }) : t("alerts.ofEveryAgency")}</p>
    <${LiveStatus} t=${t} live=${live} />
    <${Filters} t=${t} agencies=${agencies} applied=${filters} apply=${apply} />
    <${Refusal} t=${t} messages=${state.refused} />
    <div role="status" class="arrivals">
      ${arrivals.length
        ? html`<p>${t("alerts.arrived", { count: arrivals.length })}${" "}
            ${arrivals.map((raised) => `${t(`alertChange.${raised.change}`)} · ${raised.vendorId} · ${raised.agency}`).join("; ")}</p>`
        : null}
      ${newer ? html`<p><a href=${first}>${t("alerts.seeNewest")}</a></p>` : null}
    </div>
    ${page === null
      ? state.refused
        ? null
        : html`<p aria-live="polite">${t("loading")}</p>`
      : page.rows.length === 0
        ? html`<p class="empty">${t(filters.acknowledged === "false" ? "alerts.noneUnacknowledged" : "alerts.none")}</p>`
        : html`<${AlertsTable} session=${session} page=${page} fresh=${fresh} focused=${focused} acknowledged=${acknowledged} />`}
    <p class="pages">
      ${filters.after ? html`<a href=${first}>${t("alerts.newest")}</a>` : null}
      ${page?.next ? html` <a href=${filtersLink("alerts", { ...filters, after: page.next })} rel="next">${t("alerts.older")}</a>` : null}
    </p>`;
}
