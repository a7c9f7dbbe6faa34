// A vendor's incidents (`#/incidents/<vendor id>`, `?openOnly=true` for those not closed): each
// with its status (reported, investigated, closed), its findings, and what it adds to the
// vendor's risk score today (the risk model's note, linked to the vendor's risk page); the
// report form, and on each open incident the investigation and closing forms, for the roles
// the API lets use them (incidentforms.js). Once a form's event is applied, the page is read
// again and says how the vendor's score moved.
import { useEffect, useState } from "preact/hooks";
import { filtersLink } from "./address.js";
import { html } from "./html.js";
import { DateText, oneDecimal } from "./i18n.js";
import { CloseForm, InvestigateForm, ReportIncidentForm } from "./incidentforms.js";
import { useRead } from "./reads.js";
import { Band, riskLink } from "./risk.js";
import { vendorLink } from "./search.js";
import { Refusal } from "./signin.js";

// The API's largest page; a vendor with more shows its first and says so.
const PAGE = 100;
const INCIDENTS = `query ConsoleVendorIncidents($vendorId: ID!, $first: Int!, $openOnly: Boolean!) {
  vendor(vendorId: $vendorId) {
    vendorId legalName
    contracts(first: $first) { edges { node { contractId agency title } } }
    incidents(first: $first, openOnly: $openOnly) {
      totalCount
      edges { node {
        incidentId kind severity occurredOn reportedOn contractId causedByVendorId description status
        investigatedOn leak unapprovedSubcontractingFound controlFailures summary closedOn resolution
      } }
    }
    riskScore { asOf score band factors { name evidence { note vendorId } } }
  }
  today
}`;
// The risk model's factors that count incidents: the vendor's own, and those its
// subcontractors caused on its contracts.
const INCIDENT_FACTORS = ["incidents", "inherited_incidents"];

export function incidentsLink(vendorId, filters = {}) {
  return filtersLink(`incidents/${encodeURIComponent(vendorId)}`, filters);
}

// What the incident adds to today's score, in the risk model's words, factor by factor. The
// model's note names the incident first (`incident inc-1 (data_loss, high) on …: 20 × … =
// 12.34`), the one place the score says which incident an item is: its events' ids are not
// the incident's.
function partsOf(score, incidentId) {
  const named = `incident ${incidentId} (`;
  return score.factors
    .filter((factor) => INCIDENT_FACTORS.includes(factor.name))
    .flatMap((factor) => factor.evidence.filter((item) => item.note.startsWith(named)).map((item) => ({ factor: factor.name, ...item })));
}

function Day({ iso, language }) {
  return iso ? html`<${DateText} iso=${iso} language=${language} />` : "—";
}

function RiskPart({ t, parts }) {
  if (!parts.length) return html`<p class="note">${t("incident.notInScore")}</p>`;
  return html`<ul class="evidence">
    ${parts.map(
      (part) => html`<li data-factor=${part.factor}>
        ${t(`factor.${part.factor}`, {}, part.factor)}: ${part.note}
        ${part.vendorId ? html` (${t("riskVendor.of")} <a href=${vendorLink(part.vendorId)}>${part.vendorId}</a>)` : null}
      </li>`,
    )}
  </ul>`;
}

function Findings({ t, language, incident }) {
  if (!incident.investigatedOn) return null;
  const failures = incident.controlFailures.map((failure) => t(`controlFailure.${failure}`)).join(", ");
  return html`<dt>${t("incident.investigatedOn")}</dt><dd><${Day} iso=${incident.investigatedOn} language=${language} /></dd>
    <dt>${t("incident.leak")}</dt><dd>${t(`leak.${incident.leak}`)}</dd>
    <dt>${t("incident.unapprovedSubcontracting")}</dt>
    <dd>${t(incident.unapprovedSubcontractingFound ? "sanction.yes" : "sanction.no")}</dd>
    <dt>${t("incident.controlFailures")}</dt><dd>${failures || "—"}</dd>
    <dt>${t("incident.summary")}</dt><dd>${incident.summary}</dd>`;
}

function IncidentSteps({ session, vendorId, incident, form, today, recorded }) {
  const { t, may } = session;
  if (incident.status === "CLOSED" || !may(["investigateIncident", "closeIncident"])) return null;
  const common = { session, vendorId, incidentId: incident.incidentId, form, today, recorded };
  return html`<details class="item">
      <summary>${t("incidentForm.investigateTitle")}</summary>
      <${InvestigateForm} ...${common} />
    </details>
    <details class="item">
      <summary>${t("incidentForm.closeTitle")}</summary>
      <${CloseForm} ...${common} />
    </details>`;
}

function Incident({ session, vendor, incident, index, agencyOf, score, today, recorded }) {
  const { t, language } = session;
  const title = `incident-${index}-title`;
  return html`<article class="incident" aria-labelledby=${title} data-incident=${incident.incidentId} data-status=${incident.status}>
    <h4 id=${title}>
      ${incident.incidentId}${" "}
      <span class=${`incident-status incident-${incident.status}`}>${t(`incidentStatus.${incident.status}`)}</span>
    </h4>
    <dl class="facts">
      <dt>${t("incident.kind")}</dt><dd>${t(`incidentKind.${incident.kind}`)}</dd>
      <dt>${t("incident.severity")}</dt><dd>${t(`severity.${incident.severity}`)}</dd>
      <dt>${t("incident.occurredOn")}</dt><dd><${Day} iso=${incident.occurredOn} language=${language} /></dd>
      <dt>${t("incident.reportedOn")}</dt><dd><${Day} iso=${incident.reportedOn} language=${language} /></dd>
      <dt>${t("incident.contract")}</dt>
      <dd>${incident.contractId ? `${incident.contractId}${agencyOf[incident.contractId] ? ` (${agencyOf[incident.contractId]})` : ""}` : t("incident.noContract")}</dd>
      ${incident.causedByVendorId
        ? html`<dt>${t("incident.causedBy")}</dt><dd><a href=${vendorLink(incident.causedByVendorId)}>${incident.causedByVendorId}</a></dd>`
        : null}
      <dt>${t("incident.description")}</dt><dd>${incident.description}</dd>
      <${Findings} t=${t} language=${language} incident=${incident} />
      ${incident.closedOn
        ? html`<dt>${t("incident.closedOn")}</dt><dd><${Day} iso=${incident.closedOn} language=${language} /></dd>
            <dt>${t("incident.resolution")}</dt><dd>${incident.resolution}</dd>`
        : null}
      <dt>${t("incident.inScore")}</dt>
      <dd class="risk-part"><${RiskPart} t=${t} parts=${partsOf(score, incident.incidentId)} /></dd>
    </dl>
    <${IncidentSteps} session=${session} vendorId=${vendor.vendorId} incident=${incident} form=${`incident-${index}`}
      today=${today} recorded=${recorded} />
  </article>`;
}

// How the last event recorded here moved the vendor's score: the score this page showed
// before it, and the score read once the registry and the risk service applied it.
function ScoreMove({ t, move, score }) {
  if (!move) return null;
  const key = score.score === move.before ? "incidents.scoreSame" : "incidents.scoreMoved";
  return html`<p class="score-move" role="status">
    ${t(key, { event: move.eventId, before: oneDecimal(move.before), after: oneDecimal(score.score) })}
    ${" "}<${Band} t=${t} band=${score.band} />
  </p>`;
}

function NoVendorNamed({ t }) {
  const [vendorId, setVendorId] = useState("");
  const open = (event) => {
    event.preventDefault();
    location.hash = incidentsLink(vendorId.trim());
  };
  return html`<h2>${t("incidents.screenTitle")}</h2>
    <p>${t("incidents.chooseVendor")}</p>
    <form class="inline" onSubmit=${open}>
      <label for="incidents-vendor">${t("incidents.vendorId")}</label>
      <input id="incidents-vendor" required value=${vendorId} onInput=${(e) => setVendorId(e.target.value)} />
      <button type="submit">${t("incidents.open")}</button>
    </form>`;
}

// Report form: shown to every role, disabled with why for one the API would refuse.
function Report({ session, vendor, today, recorded }) {
  const { t, may, role } = session;
  const allowed = may(["reportIncident"]);
  const form = html`<${ReportIncidentForm} session=${session} vendorId=${vendor.vendorId} today=${today}
    contracts=${vendor.contracts.edges.map((edge) => edge.node)} recorded=${recorded} />`;
  return html`<section aria-labelledby="report-incident-title" class="event-form">
    <h3 id="report-incident-title">${t("incidentForm.reportTitle")}</h3>
    ${allowed
      ? html`<p>${t(session.agencies.length ? "incidentForm.reportHelpAgencies" : "incidentForm.reportHelp", { agencies: session.agencies.join(", ") })}</p>${form}`
      : html`<div class="locked" data-locked="reportIncident">
          <fieldset disabled aria-describedby="report-incident-locked">${form}</fieldset>
          <p class="read-only" id="report-incident-locked">${t("incidentForm.notForRole", { role: t(`role.${role}`) })}</p>
        </div>`}
  </section>`;
}

export function IncidentsScreen({ session, argument, filters }) {
  const { t, language, api, may, role } = session;
  const openOnly = filters.openOnly === "true";
  const key = argument ? `${argument}?${openOnly}` : null;
  const read = useRead(key, () => api(INCIDENTS, { vendorId: argument, first: PAGE, openOnly }));
  // The last event recorded here: its id and the score read before it.
  const [move, setMove] = useState(null);
  useEffect(() => setMove(null), [argument]);
  if (!argument) return html`<${NoVendorNamed} t=${t} />`;
  if (read.refused) return html`<${Refusal} t=${t} messages=${read.refused} />`;
  if (read.value === undefined) return html`<p aria-live="polite">${t("loading")}</p>`;
  const { vendor, today } = read.value;
  if (vendor === null) return html`<p role="alert">${t("vendor.unknown", { id: argument })}</p>`;
  const score = vendor.riskScore;
  const recorded = async (outcome) => {
    const before = score.score;
    await read.reload();
    setMove({ eventId: outcome.receipt.eventId, before });
  };
  const agencyOf = Object.fromEntries(vendor.contracts.edges.map(({ node }) => [node.contractId, node.agency]));
  const incidents = vendor.incidents;
  const toggle = (event) => {
    location.hash = incidentsLink(argument, { openOnly: event.target.checked ? "true" : "" });
  };
  const steps = may(["investigateIncident", "closeIncident"]);
  return html`<h2>${t("incidents.title", { vendor: vendor.legalName })} <small><a href=${vendorLink(argument)}>${argument}</a></small></h2>
    <p class="risk-now">
      ${t("incidents.scoreNow")} <span class="score">${oneDecimal(score.score)}</span> <${Band} t=${t} band=${score.band} />
      ${" "}${t("riskVendor.asOfDay")} <${DateText} iso=${score.asOf} language=${language} />
      ${" · "}<a href=${riskLink(argument)}>${t("vendor.risk")}</a>
    </p>
    <${ScoreMove} t=${t} move=${move} score=${score} />
    <${Report} session=${session} vendor=${vendor} today=${today} recorded=${recorded} />
    <section aria-labelledby="incidents-title">
      <h3 id="incidents-title">${t(openOnly ? "incidents.listOpen" : "incidents.list", { count: incidents.totalCount })}</h3>
      <p class="filters incidents-filter">
        <input type="checkbox" id="incidents-open-only" checked=${openOnly} onChange=${toggle} />
        <label for="incidents-open-only">${t("incidents.openOnly")}</label>
      </p>
      ${steps ? null : html`<p class="read-only">${t("incidents.stepsNotForRole", { role: t(`role.${role}`) })}</p>`}
      ${incidents.totalCount > incidents.edges.length
        ? html`<p class="first-shown">${t("vendor.timelineFirst", { count: incidents.edges.length })}</p>`
        : null}
      ${incidents.edges.length
        ? incidents.edges.map(
            ({ node }, index) => html`<${Incident} key=${node.incidentId} session=${session} vendor=${vendor} incident=${node}
              index=${index} agencyOf=${agencyOf} score=${score} today=${today} recorded=${recorded} />`,
          )
        : html`<p class="empty">${t(openOnly ? "incidents.noneOpen" : "incidents.none")}</p>`}
    </section>`;
}
