// The incident forms of a vendor's incidents page (incidents.js): report an incident (system
// owners, on their agencies' contracts or on none; risk analysts; admins), and investigate or
// close one (risk analysts, sanction authorities, admins). Each sends one typed mutation with
// waitForProcessing, so that the page can say what it did to the vendor's risk score, and one
// idempotency key per event (attempts.useAttempt); the receipt's field errors are shown at the
// fields they name (`payload.contractId`: another agency's contract), the others above the
// button.
import { useEffect, useState } from "preact/hooks";
import { useAttempt } from "./attempts.js";
import { Field, fieldSetter, listOrNull, Outcome, RECEIPT, record } from "./fields.js";
import { html } from "./html.js";

const mutation = (name, field, input) => `mutation Console${name}($vendorId: ID!, $payload: ${input}!, $idempotencyKey: String) {
  ${field}(vendorId: $vendorId, payload: $payload, waitForProcessing: true, idempotencyKey: $idempotencyKey) { ${RECEIPT} }
}`;
const REPORT = mutation("ReportIncident", "reportIncident", "IncidentReportedInput");
const INVESTIGATE = mutation("InvestigateIncident", "investigateIncident", "IncidentInvestigatedInput");
const CLOSE = mutation("CloseIncident", "closeIncident", "IncidentClosedInput");

// The schema's enums, in its order (messages.json labels each).
export const KINDS = ["DATA_LOSS", "DATA_LEAK", "UNAPPROVED_SUBCONTRACTING", "SECURITY_BREACH", "SERVICE_FAILURE", "OTHER"];
export const SEVERITIES = ["LOW", "MEDIUM", "HIGH", "CRITICAL"];
const LEAKS = ["PENDING", "NOT_CONFIRMED", "CONFIRMED"];
const CONTROL_FAILURES = ["NO_LOCKED_CASE", "NO_SUPERVISION", "UNAPPROVED_RESUBCONTRACTING", "NO_ERASURE_CERTIFICATE", "OTHER"];

const text = (values, name) => values[name].trim();
const textOrNull = (values, name) => text(values, name) || null;

// A choice nobody made is said at its field by the console: no default stands for a judgement
// (how serious, whether data leaked) that the user did not make.
function unchosen(t, shown, values) {
  const missing = shown.filter((field) => field.choose && !values[field.name]).map((field) => field.name);
  if (!missing.length) return null;
  const byField = Object.fromEntries(missing.map((name) => [name, [t("incidentForm.choose")]]));
  return { receipt: null, refused: null, byField, others: [], unmade: true };
}

// A select's options, the first "choose…" for a choice that must be made.
const choices = (t, prefix, values) => [["", t("incidentForm.chooseOption")], ...values.map((value) => [value, t(`${prefix}.${value}`)])];

// One incident event's form: `fields(values)` its fields (name: the receipt's path),
// `payloadOf(values)` the payload; `recorded(outcome)` once the registry applied it.
function IncidentEventForm({ session, vendorId, form, start, fields, payloadOf, mutation: query, submitLabel, recorded }) {
  const { t, api } = session;
  const [values, setValues] = useState(start);
  const { outcome, busy, attempt, area } = useAttempt();
  const set = fieldSetter(setValues);
  const shown = fields(values);
  // Said without asking the API, the answer comes before the button is disabled: focus never
  // left it, so useAttempt leaves it there; the choice to make is where work continues.
  useEffect(() => {
    if (outcome?.unmade) area.current?.querySelector("[aria-invalid=true]")?.focus();
  }, [outcome]);
  const submit = async (event) => {
    event.preventDefault();
    const result = await attempt(async (key) => {
      const unmade = unchosen(t, shown, values);
      if (unmade) return unmade;
      const variables = { vendorId, payload: payloadOf(values) };
      return record(api, query, variables, shown.map((field) => field.name), key);
    }, { vendorId, values });
    if (result?.receipt?.accepted && !result.receipt.processing?.refusedBy.length) {
      setValues(start);
      recorded(result);
    }
  };
  return html`<form id=${form} onSubmit=${submit} ref=${area}>
    <div class="form-grid">
      ${shown.map(
        ({ choose, ...field }) =>
          html`<${Field} t=${t} form=${form} ...${field} value=${values[field.name]} set=${set} errors=${outcome?.byField} />`,
      )}
    </div>
    <button type="submit" disabled=${busy}>${submitLabel}</button>
    <${Outcome} t=${t} outcome=${outcome} busy=${busy} />
  </form>`;
}

// The contracts offered for a report: those the API showed the user (a system owner's are its
// agencies' only). Offered, not imposed: another id may be typed, which the API judges.
const contractOptions = (contracts) =>
  contracts.map((contract) => [contract.contractId, `${contract.contractId} — ${contract.agency}: ${contract.title}`]);

export function ReportIncidentForm({ session, vendorId, today, contracts, recorded }) {
  const { t } = session;
  const date = t("form.dateHint");
  const start = {
    "payload.incidentId": "",
    "payload.kind": "",
    "payload.severity": "",
    "payload.occurredOn": "",
    "payload.reportedOn": today,
    "payload.contractId": "",
    "payload.causedByVendorId": "",
    "payload.description": "",
  };
  const contractHint = t(session.agencies.length ? "incidentForm.contractHintAgencies" : "incidentForm.contractHint", {
    agencies: session.agencies.join(", "),
  });
  const fields = () => [
    { name: "payload.incidentId", label: t("incident.id"), hint: t("incidentForm.idHint"), required: true },
    { name: "payload.kind", label: t("incident.kind"), kind: "select", options: choices(t, "incidentKind", KINDS), choose: true },
    { name: "payload.severity", label: t("incident.severity"), kind: "select", options: choices(t, "severity", SEVERITIES), choose: true },
    { name: "payload.occurredOn", label: t("incident.occurredOn"), hint: date, required: true },
    { name: "payload.reportedOn", label: t("incident.reportedOn"), hint: date, required: true },
    { name: "payload.contractId", label: t("incident.contract"), hint: contractHint, options: contractOptions(contracts) },
    { name: "payload.causedByVendorId", label: t("incident.causedBy"), hint: t("incidentForm.causedByHint") },
    { name: "payload.description", label: t("incident.description"), kind: "textarea", required: true },
  ];
  const payloadOf = (values) => ({
    incidentId: text(values, "payload.incidentId"),
    kind: values["payload.kind"],
    severity: values["payload.severity"],
    occurredOn: text(values, "payload.occurredOn"),
    reportedOn: text(values, "payload.reportedOn"),
    contractId: textOrNull(values, "payload.contractId"),
    causedByVendorId: textOrNull(values, "payload.causedByVendorId"),
    description: text(values, "payload.description"),
  });
  return html`<${IncidentEventForm} session=${session} vendorId=${vendorId} form="report-incident" start=${start}
    fields=${fields} payloadOf=${payloadOf} mutation=${REPORT} submitLabel=${t("incidentForm.report")} recorded=${recorded} />`;
}

// `form`: the incident's forms' prefix (its place in the list: an incident id may hold
// characters a DOM id had better not).
export function InvestigateForm({ session, vendorId, incidentId, form, today, recorded }) {
  const { t } = session;
  const start = {
    "payload.investigatedOn": today,
    "payload.leak": "",
    "payload.unapprovedSubcontractingFound": false,
    "payload.controlFailures": "",
    "payload.summary": "",
  };
  const failures = CONTROL_FAILURES.map((failure) => [failure, t(`controlFailure.${failure}`)]);
  const fields = () => [
    { name: "payload.investigatedOn", label: t("incident.investigatedOn"), hint: t("form.dateHint"), required: true },
    { name: "payload.leak", label: t("incident.leak"), kind: "select", options: choices(t, "leak", LEAKS), choose: true },
    { name: "payload.unapprovedSubcontractingFound", label: t("incident.unapprovedSubcontracting"), kind: "checkbox" },
    { name: "payload.controlFailures", label: t("incident.controlFailures"), kind: "choices", options: failures },
    { name: "payload.summary", label: t("incident.summary"), kind: "textarea", required: true },
  ];
  const payloadOf = (values) => ({
    incidentId,
    investigatedOn: text(values, "payload.investigatedOn"),
    leak: values["payload.leak"],
    unapprovedSubcontractingFound: values["payload.unapprovedSubcontractingFound"],
    controlFailures: listOrNull(values["payload.controlFailures"]) ?? [],
    summary: text(values, "payload.summary"),
  });
  return html`<${IncidentEventForm} session=${session} vendorId=${vendorId} form=${`${form}-investigate`} start=${start}
    fields=${fields} payloadOf=${payloadOf} mutation=${INVESTIGATE} submitLabel=${t("incidentForm.investigate")} recorded=${recorded} />`;
}

export function CloseForm({ session, vendorId, incidentId, form, today, recorded }) {
  const { t } = session;
  const start = { "payload.closedOn": today, "payload.resolution": "" };
  const fields = () => [
    { name: "payload.closedOn", label: t("incident.closedOn"), hint: t("form.dateHint"), required: true },
    { name: "payload.resolution", label: t("incident.resolution"), kind: "textarea", required: true },
  ];
  const payloadOf = (values) => ({
    incidentId,
    closedOn: text(values, "payload.closedOn"),
    resolution: text(values, "payload.resolution"),
  });
  return html`<${IncidentEventForm} session=${session} vendorId=${vendorId} form=${`${form}-close`} start=${start}
    fields=${fields} payloadOf=${payloadOf} mutation=${CLOSE} submitLabel=${t("incidentForm.close")} recorded=${recorded} />`;
}
