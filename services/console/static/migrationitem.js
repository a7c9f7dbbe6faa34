// One item of a migration plan, as its system owner works on it: where it cuts over and why
// not at its contract's end, what blocks it, its readiness checklist (ticked and withdrawn
// through updateMigrationChecklist), its milestones (recordMigrationMilestone) and its
// replacement vendor (chooseReplacementVendor; a refusal is shown at the field, with the
// sanctions that bar that vendor at the plan's agency), and its settings (migrationsettings.js).
// A role that may read the plan but not record on it sees each form disabled, with why.
import { useEffect, useState } from "preact/hooks";
import { useAttempt } from "./attempts.js";
import { Field, fieldSetter, Outcome, RECEIPT, record } from "./fields.js";
import { checksPassed } from "./gantt.js";
import { html } from "./html.js";
import { DateText } from "./i18n.js";
import { ItemSettingsForm } from "./migrationsettings.js";
import { Locked } from "./readonly.js";
import { Reasons } from "./reasons.js";
import { vendorLink } from "./search.js";

const TICK = `mutation ConsoleTickCheck($planId: ID!, $contractId: ID!, $check: ChecklistCheck!, $passed: Boolean!,
    $idempotencyKey: String) {
  updateMigrationChecklist(planId: $planId, contractId: $contractId, check: $check, passed: $passed,
      waitForProcessing: true, idempotencyKey: $idempotencyKey) { ${RECEIPT} }
}`;
const MILESTONE = `mutation ConsoleMilestone($planId: ID!, $contractId: ID!, $status: MigrationItemStatus!,
    $on: Date, $note: String, $idempotencyKey: String) {
  recordMigrationMilestone(planId: $planId, contractId: $contractId, status: $status, on: $on,
      note: $note, waitForProcessing: true, idempotencyKey: $idempotencyKey) { ${RECEIPT} }
}`;
const CHOOSE = `mutation ConsoleChooseReplacement($planId: ID!, $contractId: ID!, $vendorId: ID!, $chosenOn: Date,
    $idempotencyKey: String) {
  chooseReplacementVendor(planId: $planId, contractId: $contractId, vendorId: $vendorId,
      chosenOn: $chosenOn, waitForProcessing: true, idempotencyKey: $idempotencyKey) { ${RECEIPT} }
}`;
const BARRED_BY = `query ConsoleBarredBy($vendorId: ID!, $agency: String) {
  bidEligibility(vendor: {vendorId: $vendorId}, agency: $agency) {
    reasons { sanctionId kind authority startsOn barsFrom resumed endsOn viaVendorId }
    upcoming { sanctionId kind authority startsOn barsFrom resumed endsOn viaVendorId }
  }
}`;
// The checks a person ticks; REPLACEMENT_CHOSEN_AND_ELIGIBLE follows the replacement.
const BY_REPLACEMENT = "REPLACEMENT_CHOSEN_AND_ELIGIBLE";
const STATUSES = ["PLANNED", "IN_PROGRESS", "DONE", "BLOCKED"];

// One tick at a time: its checkboxes wait with the attempt, whose answer (the only one shown)
// a second tick sent meanwhile would have outrun or replaced.
function Checklist({ session, plan, item, changed }) {
  const { t, api } = session;
  const { outcome, busy, attempt, area } = useAttempt({ about: item });
  // The tick sent, shown as ticked until the plan read again shows it or it is refused: each
  // redraw while waiting put the box back as recorded, and the user's tick went for as long.
  const [pending, setPending] = useState(null);
  useEffect(() => {
    if (pending && item.checklist.some((c) => c.check === pending.check && c.passed === pending.passed)) {
      setPending(null);
    }
  }, [item]);
  const tick = async (check, passed) => {
    const variables = { planId: plan.planId, contractId: item.contractId, check, passed };
    setPending({ check, passed });
    let accepted = false;
    try {
      // A checkbox has no room for an error beside it: the receipt's errors go below the list.
      const result = await attempt((key) => record(api, TICK, variables, [], key), variables);
      accepted = Boolean(result?.receipt?.accepted);
    } finally {
      if (!accepted) setPending(null);
    }
    if (accepted) changed();
  };
  return html`<fieldset class="checklist" ref=${area}>
    <legend>${t("migration.checklist", { passed: checksPassed(item) })}</legend>
    ${item.checklist.map(({ check, passed }) => {
      const id = `check-${item.contractId}-${check}`;
      return html`<div class="field field-checkbox">
        <input
          type="checkbox" id=${id} data-check=${check} checked=${pending?.check === check ? pending.passed : passed}
          disabled=${check === BY_REPLACEMENT || busy}
          aria-describedby=${check === BY_REPLACEMENT ? `${id}-hint` : null}
          onChange=${(event) => tick(check, event.target.checked)}
        />
        <label for=${id}><span class="visually-hidden">${item.contractId}: </span>${t(`migration.check.${check}`)}</label>
        ${check === BY_REPLACEMENT ? html`<small id=${`${id}-hint`}>${t("migration.checkByReplacement")}</small>` : null}
      </div>`;
    })}
    <${Outcome} t=${t} outcome=${outcome} busy=${busy} />
  </fieldset>`;
}

function Milestone({ session, plan, item, changed }) {
  const { t, api } = session;
  const form = `milestone-${item.contractId}`;
  const [values, setValues] = useState({ status: item.status, on: "", note: "" });
  const { outcome, busy, attempt, area } = useAttempt({ values, about: item });
  const set = fieldSetter(setValues);
  const submit = async (event) => {
    event.preventDefault();
    const variables = {
      planId: plan.planId,
      contractId: item.contractId,
      status: values.status,
      on: values.on.trim() || null,
      note: values.note.trim() || null,
    };
    const result = await attempt((key) => record(api, MILESTONE, variables, ["status", "on", "note"], key), variables);
    if (result.receipt?.accepted) changed();
  };
  const errors = outcome?.byField;
  const statuses = STATUSES.map((status) => [status, t(`migration.status.${status}`)]);
  return html`<form class="milestone" onSubmit=${submit} aria-labelledby=${`${form}-title`} ref=${area}>
    <h4 id=${`${form}-title`}>${item.contractId}: ${t("migration.milestone")}</h4>
    <${Field} t=${t} form=${form} name="status" label=${t("migration.newStatus")} kind="select" options=${statuses} value=${values.status} set=${set} errors=${errors} />
    <${Field} t=${t} form=${form} name="on" label=${t("migration.milestoneOn")} hint=${t("form.dateHint")} value=${values.on} set=${set} errors=${errors} />
    <${Field} t=${t} form=${form} name="note" label=${t("migration.note")} hint=${t("migration.noteHint")} value=${values.note} set=${set} errors=${errors} />
    <button type="submit" disabled=${busy}>${t("migration.recordMilestone")}</button>
    <${Outcome} t=${t} outcome=${outcome} busy=${busy} />
  </form>`;
}

function Replacement({ session, plan, item, changed }) {
  const { t, api, language } = session;
  const form = `replacement-${item.contractId}`;
  const [values, setValues] = useState({ vendorId: item.replacementVendorId ?? "", chosenOn: "" });
  const { outcome, busy, attempt, area } = useAttempt({ values, about: item });
  const [barredBy, setBarredBy] = useState(null);
  const set = fieldSetter(setValues);
  const submit = async (event) => {
    event.preventDefault();
    const vendorId = values.vendorId.trim();
    const variables = { planId: plan.planId, contractId: item.contractId, vendorId, chosenOn: values.chosenOn.trim() || null };
    setBarredBy(null);
    const result = await attempt((key) => record(api, CHOOSE, variables, ["vendorId", "chosenOn"], key), variables);
    if (result.receipt?.accepted) changed();
    else if (result.byField.vendorId) {
      // The refusal names the sanction; the sanctions themselves, as screening shows them:
      // those barring the vendor now, or else those recorded to bar it later.
      const answer = await api(BARRED_BY, { vendorId, agency: plan.agency }).catch(() => null);
      const eligibility = answer?.bidEligibility;
      setBarredBy(eligibility
        ? eligibility.reasons.length
          ? { later: false, reasons: eligibility.reasons }
          : { later: true, reasons: eligibility.upcoming }
        : null);
    }
  };
  const errors = outcome?.byField;
  return html`<form class="replacement" onSubmit=${submit} aria-labelledby=${`${form}-title`} ref=${area}>
    <h4 id=${`${form}-title`}>${item.contractId}: ${t("migration.replacement")}</h4>
    ${item.replacementVendorId
      ? html`<p>
          ${t("migration.chosen")} <a href=${vendorLink(item.replacementVendorId)}>${item.replacementVendorId}</a>
          ${item.replacementChosenOn ? html` (<${DateText} iso=${item.replacementChosenOn} language=${language} />)` : null}
        </p>`
      : null}
    ${item.replacementProblem ? html`<p class="error">${item.replacementProblem}</p>` : null}
    <${Field} t=${t} form=${form} name="vendorId" label=${t("migration.replacementVendor")} required value=${values.vendorId} set=${set} errors=${errors} />
    ${barredBy && barredBy.reasons.length && errors?.vendorId
      ? html`<div class="barred-by" data-barred-by=${values.vendorId.trim()}>
          ${barredBy.later ? t("migration.barredLater") : t("migration.barredBy")}<${Reasons} t=${t} language=${language} reasons=${barredBy.reasons} />
        </div>`
      : null}
    <${Field} t=${t} form=${form} name="chosenOn" label=${t("migration.chosenOn")} hint=${t("form.dateHint")} value=${values.chosenOn} set=${set} errors=${errors} />
    <button type="submit" disabled=${busy}>${t("migration.choose")}</button>
    <${Outcome} t=${t} outcome=${outcome} busy=${busy} />
  </form>`;
}

// What an item without a phase says: that the plan has no schedule (no feasible one, or none
// found in time), with the API's why, worded as the plan's CSV words it (it read "not
// scheduled yet", as though the solver had yet to run, and "—" where the solver named no
// conflict), or that it is still to be planned.
function unplanned(t, solver) {
  return solver && solver.whyNoSchedule.length
    ? { said: t(`migration.noSchedule.${solver.status}`), why: solver.whyNoSchedule }
    : { said: t("migration.unscheduled"), why: [] };
}

export function MigrationItem({ session, plan, item, changed }) {
  const { t, language } = session;
  const { said, why } = item.phaseLabel
    ? { said: t("migration.cutsOverIn", { phase: item.phaseLabel }), why: item.reasons }
    : unplanned(t, plan.solver);
  // A withdrawn plan's items change no more (the API refuses it: `plan_withdrawn`).
  const closed = plan.status === "WITHDRAWN" ? t("apiError.plan_withdrawn") : null;
  return html`<details class="item" data-contract=${item.contractId}>
    <summary>
      <strong>${item.contractId} ${item.title}</strong>
      ${" · "}<span class="phase" data-scheduled=${item.phaseLabel ? "yes" : "no"}>${said}</span>
      ${" · "}<span class=${`status status-${item.status}`}>${t(`migration.status.${item.status}`)}</span>
      ${" · ✓"}${checksPassed(item)}
      ${item.blockers.length ? html`${" · "}${t("migration.blockerCount", { count: item.blockers.length })}` : null}
    </summary>
    <dl class="facts">
      <dt>${t("contract.criticality")}</dt><dd>${t(`criticality.${item.criticality}`)}</dd>
      <dt>${t("migration.endsOn")}</dt><dd><${DateText} iso=${item.endsOn} language=${language} /></dd>
      <dt>${t("migration.naturalPhase")}</dt><dd>${item.naturalPhaseLabel ?? "—"}</dd>
      <dt>${t("migration.dependsOn")}</dt><dd>${item.dependsOn.length ? item.dependsOn.join(", ") : "—"}</dd>
      <dt>${t("migration.deadlineOn")}</dt><dd>${item.deadlineOn ? html`<${DateText} iso=${item.deadlineOn} language=${language} />` : "—"}</dd>
      <dt>${t("migration.why")}</dt>
      <dd class="item-why">${why.length ? html`<ul>${why.map((reason) => html`<li>${reason}</li>`)}</ul>` : "—"}</dd>
      <dt>${t("migration.blockers")}</dt>
      <dd class="blockers">${item.blockers.length ? html`<ul>${item.blockers.map((blocker) => html`<li>${blocker}</li>`)}</ul>` : "—"}</dd>
      ${item.statusNote ? html`<dt>${t("migration.note")}</dt><dd>${item.statusNote}</dd>` : null}
    </dl>
    <div class="item-forms">
      <${Locked} session=${session} mutation="updateMigrationChecklist" closed=${closed} id=${`checklist-${item.contractId}`}>
        <${Checklist} session=${session} plan=${plan} item=${item} changed=${changed} />
      </${Locked}>
      <${Locked} session=${session} mutation="recordMigrationMilestone" closed=${closed} id=${`milestone-${item.contractId}`}>
        <${Milestone} session=${session} plan=${plan} item=${item} changed=${changed} />
      </${Locked}>
      <${Locked} session=${session} mutation="chooseReplacementVendor" closed=${closed} id=${`replacement-${item.contractId}`}>
        <${Replacement} session=${session} plan=${plan} item=${item} changed=${changed} />
      </${Locked}>
      <${ItemSettingsForm} session=${session} plan=${plan} item=${item} changed=${changed} closed=${closed} />
    </div>
  </details>`;
}
