// A decision on an import's candidate for review (`reviewMatch`, `vendor.match_reviewed`): the
// entry, as the list names it, is the vendor it may be (CONFIRMED: the name becomes one of that
// vendor's aliases) or another firm (NOT_SAME: screenings of that name no longer flag that
// vendor until its record changes). Nothing merges either way: the entry's own vendor stays.
// The API lets those who keep vendor records decide (procurement officers, admins), not the
// sanction authorities and auditors who read import reports: they are told so, not shown a
// form that would be refused.
import { useState } from "preact/hooks";
import { RECEIPT } from "./fields.js";
import { html } from "./html.js";
import { EventForm } from "./sanctionforms.js";

const REVIEW = `mutation ConsoleReviewMatch($vendorId: ID!, $payload: VendorMatchReviewedInput!, $idempotencyKey: String) {
  reviewMatch(vendorId: $vendorId, payload: $payload, waitForProcessing: true,
    idempotencyKey: $idempotencyKey) { ${RECEIPT} }
}`;
const DECISIONS = ["NOT_SAME", "CONFIRMED"];
const START = { candidate: "", "payload.decision": "NOT_SAME", "payload.reason": "" };

// `candidates`: the page's, each by its line in the file.
export function ReviewDecision({ session, candidates }) {
  const { t, may, role } = session;
  const [values, setValues] = useState(START);
  if (!may(["reviewMatch"])) {
    return html`<p class="read-only" data-locked="reviewMatch">${t("review.notYours", { role: t(`role.${role}`) })}</p>`;
  }
  // The candidate chosen, or the page's first (another page's choice is not on this one).
  const chosen = (v) => candidates.find((c) => String(c.line) === v.candidate) ?? candidates[0];
  const decided = (v) => ({
    vendorId: chosen(v).candidateVendorId,
    payload: { decision: v["payload.decision"], bidderName: chosen(v).name, reason: v["payload.reason"].trim() },
  });
  const fields = () => [
    {
      name: "candidate",
      label: t("review.candidate"),
      kind: "select",
      options: candidates.map((c) => [String(c.line), t("review.option", { line: c.line, name: c.name, candidate: c.candidateName })]),
    },
    {
      name: "payload.decision",
      label: t("review.decision"),
      kind: "select",
      options: DECISIONS.map((decision) => [decision, t(`matchDecision.${decision}`)]),
    },
    { name: "payload.reason", label: t("review.reason"), hint: t("review.reasonHint"), kind: "textarea" },
  ];
  return html`<${EventForm}
    session=${session}
    form="review"
    title=${t("review.title")}
    help=${t("review.help")}
    mutation=${REVIEW}
    fields=${fields}
    variables=${decided}
    values=${{ ...values, candidate: String(chosen(values).line) }}
    setValues=${setValues}
    submitLabel=${t("review.record")}
  />`;
}
