// The auditor's record of an audit completed (`completeAudit`: `audit.completed`): of a vendor,
// or of one of its contracts, with its outcome and findings. Reached from the audit trail and
// a vendor's page (`#/complete-audit/<vendor>`, the vendor filled in); the receipt's field
// errors are shown at their fields (findings are required unless it passed), and the event
// recorded is in the audit trail and the vendor's history at once.
import { useEffect, useState } from "preact/hooks";
import { RECEIPT } from "./fields.js";
import { html } from "./html.js";
import { EventForm } from "./sanctionforms.js";

const COMPLETE = `mutation ConsoleCompleteAudit($vendorId: ID!, $payload: AuditCompletedInput!, $idempotencyKey: String) {
  completeAudit(vendorId: $vendorId, payload: $payload, waitForProcessing: true,
    idempotencyKey: $idempotencyKey) { ${RECEIPT} }
}`;
const OUTCOMES = ["PASSED", "FINDINGS", "FAILED"];

export function completeAuditLink(vendorId) {
  return vendorId ? `#/complete-audit/${encodeURIComponent(vendorId)}` : "#/complete-audit";
}

const start = (vendorId) => ({
  vendorId,
  "payload.auditId": "",
  "payload.completedOn": "",
  "payload.contractId": "",
  "payload.outcome": "PASSED",
  "payload.findings": "",
});

// A finding a line: findings hold commas ("late, and incomplete"), so a line is one.
function completed(values) {
  const findings = values["payload.findings"]
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  return {
    vendorId: values.vendorId.trim(),
    payload: {
      auditId: values["payload.auditId"].trim(),
      completedOn: values["payload.completedOn"].trim(),
      contractId: values["payload.contractId"].trim() || null,
      outcome: values["payload.outcome"],
      findings,
    },
  };
}

export function CompleteAuditScreen({ session, argument }) {
  const { t } = session;
  const [values, setValues] = useState(start(argument));
  // Another vendor's link followed from here starts the form for that vendor.
  useEffect(() => setValues(start(argument)), [argument]);
  const fields = () => [
    { name: "vendorId", label: t("sanction.vendorId"), required: true },
    { name: "payload.auditId", label: t("audit.auditId"), hint: t("audit.auditIdHint"), required: true },
    { name: "payload.completedOn", label: t("audit.completedOn"), hint: t("form.dateHint"), required: true },
    { name: "payload.contractId", label: t("audit.contractId"), hint: t("audit.contractIdHint") },
    {
      name: "payload.outcome",
      label: t("audit.outcome"),
      kind: "select",
      options: OUTCOMES.map((outcome) => [outcome, t(`auditOutcome.${outcome}`)]),
    },
    { name: "payload.findings", label: t("audit.findings"), hint: t("audit.findingsHint"), kind: "textarea" },
  ];
  return html`<h2>${t("page.completeAudit")}</h2>
    <p><a href="#/audit">${t("audit.backToTrail")}</a></p>
    <${EventForm}
      session=${session}
      form="complete-audit"
      title=${t("audit.completeTitle")}
      help=${t("audit.completeHelp")}
      mutation=${COMPLETE}
      fields=${fields}
      variables=${completed}
      values=${values}
      setValues=${setValues}
      submitLabel=${t("audit.record")}
    />`;
}
