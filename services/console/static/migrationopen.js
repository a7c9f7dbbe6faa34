// A system owner opens a plan by hand (createMigrationPlan), for a vendor nothing bars yet (a
// high-risk one) at one of its agencies; the migration service then gathers that agency's
// contracts with the vendor into the plan. Shown only to roles that may open plans.
import { useState } from "preact/hooks";
import { useAttempt } from "./attempts.js";
import { Field, fieldSetter, Outcome, RECEIPT, record } from "./fields.js";
import { html } from "./html.js";

const CREATE = `mutation ConsoleCreatePlan($vendorId: ID!, $agency: String!, $reason: String!, $planId: ID!,
    $idempotencyKey: String) {
  createMigrationPlan(vendorId: $vendorId, agency: $agency, reason: $reason, planId: $planId,
      waitForProcessing: true, idempotencyKey: $idempotencyKey) { ${RECEIPT} }
}`;
const NAMES = ["vendorId", "agency", "reason", "planId"];

// `opened`: called once a plan is opened (the list reads the plans again); `planLink`: a plan's
// address in the console.
export function OpenPlanForm({ session, opened, planLink }) {
  const { t, api, agencies } = session;
  const form = "open-plan";
  const [values, setValues] = useState({ vendorId: "", agency: agencies[0] ?? "", reason: "", planId: "" });
  const { outcome, busy, attempt, area } = useAttempt({ values });
  const set = fieldSetter(setValues);
  const submit = async (event) => {
    event.preventDefault();
    const sent = Object.fromEntries(NAMES.map((name) => [name, values[name].trim()]));
    const result = await attempt(async (key) => ({ ...(await record(api, CREATE, sent, NAMES, key)), planId: sent.planId }), sent);
    if (result.receipt?.accepted) opened();
  };
  // A system owner's agencies are in its token: one of them, chosen; an admin types any.
  const agency = agencies.length
    ? { kind: "select", options: agencies.map((name) => [name, name]) }
    : { required: true };
  const accepted = outcome?.receipt?.accepted && !outcome.receipt.processing?.refusedBy.length;
  return html`<details class="open-plan">
    <summary id=${`${form}-title`}>${t("migrationForm.openTitle")}</summary>
    <form id=${form} onSubmit=${submit} ref=${area} aria-labelledby=${`${form}-title`}>
      <p>${t("migrationForm.openHelp")}</p>
      <div class="form-grid">
        <${Field} t=${t} form=${form} name="vendorId" label=${t("migration.vendor")} required value=${values.vendorId} set=${set} errors=${outcome?.byField} />
        <${Field} t=${t} form=${form} name="agency" label=${t("contract.agency")} ...${agency} value=${values.agency} set=${set} errors=${outcome?.byField} />
        <${Field} t=${t} form=${form} name="planId" label=${t("migrationForm.planId")} hint=${t("migrationForm.planIdHint")} required value=${values.planId} set=${set} errors=${outcome?.byField} />
        <${Field} t=${t} form=${form} name="reason" label=${t("migrationForm.reason")} kind="textarea" required value=${values.reason} set=${set} errors=${outcome?.byField} />
      </div>
      <button type="submit" disabled=${busy}>${t("migrationForm.open")}</button>
      <${Outcome} t=${t} outcome=${outcome} busy=${busy} />
      ${accepted ? html`<p><a href=${planLink(outcome.planId)}>${t("migrationForm.seePlan", { id: outcome.planId })}</a></p>` : null}
    </form>
  </details>`;
}
