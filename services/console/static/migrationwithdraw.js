// A system owner withdraws a plan (withdrawMigrationPlan) with its reason: one opened by hand
// by mistake, or one whose vendor may bid for its contracts again and whose agency keeps them.
// The API refuses it while the vendor is still barred there (`still_barred`), and once it is
// withdrawn; the receipt, or the refusal's words, show under the button. Shown only to roles
// that may withdraw plans, on a plan not withdrawn.
import { useState } from "preact/hooks";
import { useAttempt } from "./attempts.js";
import { Field, Outcome, RECEIPT, record } from "./fields.js";
import { html } from "./html.js";

const WITHDRAW = `mutation ConsoleWithdrawPlan($planId: ID!, $reason: String!, $idempotencyKey: String) {
  withdrawMigrationPlan(planId: $planId, reason: $reason, waitForProcessing: true,
      idempotencyKey: $idempotencyKey) { ${RECEIPT} }
}`;
// The reason alone is a field of the form: a refusal of the plan itself (`planId`) shows
// above the button, in words.
const NAMES = ["reason"];

// `withdrawn`: called once the plan is withdrawn (the page reads it again).
export function WithdrawPlanForm({ session, plan, withdrawn }) {
  const { t, api } = session;
  const form = "withdraw-plan";
  const [reason, setReason] = useState("");
  // Its refusals are about the plan's vendor and status (`still_barred`, `withdrawn_already`):
  // a live update that changes them makes them no longer true.
  const about = [plan.status, plan.vendorEligible, plan.vendorBarredLater];
  const { outcome, busy, attempt, area } = useAttempt({ values: { reason }, about });
  const submit = async (event) => {
    event.preventDefault();
    const sends = { planId: plan.planId, reason: reason.trim() };
    const result = await attempt((key) => record(api, WITHDRAW, sends, NAMES, key), sends);
    if (result.receipt?.accepted && !result.receipt.processing?.refusedBy.length) withdrawn();
  };
  return html`<details class="withdraw-plan">
    <summary id=${`${form}-title`}>${t("migrationForm.withdrawTitle")}</summary>
    <form id=${form} onSubmit=${submit} ref=${area} aria-labelledby=${`${form}-title`}>
      <p>${t("migrationForm.withdrawHelp")}</p>
      <div class="form-grid">
        <${Field} t=${t} form=${form} name="reason" label=${t("migrationForm.withdrawReason")} kind="textarea" required value=${reason} set=${(_, value) => setReason(value)} errors=${outcome?.byField} />
      </div>
      <button type="submit" disabled=${busy}>${t("migrationForm.withdraw")}</button>
      <${Outcome} t=${t} outcome=${outcome} busy=${busy} />
    </form>
  </details>`;
}
