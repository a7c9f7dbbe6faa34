// The sanction authority's three forms: impose, amend and lift a sanction. Each sends one
// typed mutation with waitForProcessing, so that the form can say whether the registry applied
// it; the receipt's field errors are shown at the fields they name (`payload.startsOn`,
// `payload.period.durationMonths`, `vendorId`), the others above the button.
import { useState } from "preact/hooks";
import { useAttempt } from "./attempts.js";
import { authoritySuggestions, groundOptions, policyOf } from "./authorities.js";
import { Field, fieldSetter, listOrNull, Outcome, RECEIPT, record } from "./fields.js";
import { html } from "./html.js";
import { vendorLink } from "./search.js";

const IMPOSE = `mutation ConsoleImposeSanction($vendorId: ID!, $payload: SanctionImposedInput!, $idempotencyKey: String) {
  imposeSanction(vendorId: $vendorId, payload: $payload, waitForProcessing: true,
      idempotencyKey: $idempotencyKey) { ${RECEIPT} }
}`;
const AMEND = `mutation ConsoleAmendSanction($vendorId: ID!, $payload: SanctionAmendedInput!, $idempotencyKey: String) {
  amendSanction(vendorId: $vendorId, payload: $payload, waitForProcessing: true,
      idempotencyKey: $idempotencyKey) { ${RECEIPT} }
}`;
const LIFT = `mutation ConsoleLiftSanction($vendorId: ID!, $payload: SanctionLiftedInput!, $idempotencyKey: String) {
  liftSanction(vendorId: $vendorId, payload: $payload, waitForProcessing: true,
      idempotencyKey: $idempotencyKey) { ${RECEIPT} }
}`;
const KINDS = ["BID_SUSPENSION", "DEBARMENT", "WARNING"];
// The ways of giving a period (SanctionPeriodInput, one of them); amending may keep it ("").
const PERIODS = ["durationMonths", "durationDays", "endsOn", "indefinite"];
const PERIOD = "payload.period";

export const IMPOSE_START = {
  vendorId: "",
  "payload.sanctionId": "",
  "payload.kind": "BID_SUSPENSION",
  "payload.authority": "",
  "payload.decidedOn": "",
  "payload.startsOn": "",
  [PERIOD]: "durationMonths",
  "payload.period.durationMonths": "",
  "payload.period.durationDays": "",
  "payload.period.endsOn": "",
  "payload.agencies": "",
  "payload.categories": "",
  "payload.coversAffiliates": false,
  "payload.grounds": "",
  "payload.serious": false,
  "payload.reason": "",
  "payload.policyOverrideReason": "",
};
const AMEND_START = {
  vendorId: "",
  "payload.sanctionId": "",
  "payload.effectiveOn": "",
  [PERIOD]: "",
  "payload.period.durationMonths": "",
  "payload.period.durationDays": "",
  "payload.period.endsOn": "",
  "payload.agencies": "",
  "payload.categories": "",
  coverAgencies: false,
  coverCategories: false,
  "payload.coversAffiliates": "",
  "payload.reason": "",
  "payload.policyOverrideReason": "",
};
const LIFT_START = { vendorId: "", "payload.sanctionId": "", "payload.effectiveOn": "", "payload.reason": "" };

// The period the form gives, as SanctionPeriodInput; null when it keeps the current one.
function periodOf(values) {
  const way = values[PERIOD];
  if (!way) return null;
  if (way === "indefinite") return { indefinite: true };
  const value = values[`${PERIOD}.${way}`].trim();
  return { [way]: way === "endsOn" ? value : Number(value) };
}

const text = (values, name) => values[name].trim() || null;

function imposed(values) {
  return {
    vendorId: values.vendorId.trim(),
    payload: {
      sanctionId: values["payload.sanctionId"].trim(),
      kind: values["payload.kind"],
      authority: values["payload.authority"].trim(),
      decidedOn: values["payload.decidedOn"].trim(),
      startsOn: values["payload.startsOn"].trim(),
      period: periodOf(values),
      agencies: listOrNull(values["payload.agencies"]),
      categories: listOrNull(values["payload.categories"]),
      coversAffiliates: values["payload.coversAffiliates"],
      grounds: listOrNull(values["payload.grounds"]) ?? [],
      serious: values["payload.serious"],
      reason: text(values, "payload.reason"),
      policyOverrideReason: text(values, "payload.policyOverrideReason"),
    },
  };
}

function amended(values) {
  const coverAll = [values.coverAgencies ? "AGENCIES" : null, values.coverCategories ? "CATEGORIES" : null];
  const affiliates = values["payload.coversAffiliates"];
  return {
    vendorId: values.vendorId.trim(),
    payload: {
      sanctionId: values["payload.sanctionId"].trim(),
      effectiveOn: values["payload.effectiveOn"].trim(),
      period: periodOf(values),
      agencies: listOrNull(values["payload.agencies"]),
      categories: listOrNull(values["payload.categories"]),
      coverAll: coverAll.filter(Boolean),
      coversAffiliates: affiliates === "" ? null : affiliates === "yes",
      reason: values["payload.reason"].trim(),
      policyOverrideReason: text(values, "payload.policyOverrideReason"),
    },
  };
}

function lifted(values) {
  return {
    vendorId: values.vendorId.trim(),
    payload: {
      sanctionId: values["payload.sanctionId"].trim(),
      effectiveOn: values["payload.effectiveOn"].trim(),
      reason: values["payload.reason"].trim(),
    },
  };
}

// The period's two fields: which way it is given, and its value (none for indefinite).
function periodFields(t, values, keep) {
  const ways = [...(keep ? [["", t("sanction.periodKeep")]] : []), ...PERIODS.map((way) => [way, t(`sanction.period.${way}`)])];
  const way = values[PERIOD];
  const fields = [{ name: PERIOD, label: t("sanction.period"), kind: "select", options: ways }];
  if (way && way !== "indefinite") {
    fields.push({
      name: `${PERIOD}.${way}`,
      label: t(`sanction.period.${way}`),
      kind: way === "endsOn" ? "text" : "number",
      hint: way === "endsOn" ? t("form.dateHint") : null,
      required: true,
    });
  }
  return fields;
}

// One mutation's form: `fields(values)` says which fields it shows (name: the receipt's path).
// The other screens that record one event (an audit, a review decision) use it too.
export function EventForm({ session, form, title, help, mutation, fields, variables, values, setValues, submitLabel }) {
  const { t, api } = session;
  const { outcome, busy, attempt, area } = useAttempt({ values });
  const shown = fields(values);
  const set = fieldSetter(setValues);
  const submit = async (event) => {
    event.preventDefault();
    const sent = variables(values);
    const names = shown.map((field) => field.name);
    await attempt(async (key) => ({ ...(await record(api, mutation, sent, names, key)), vendorId: sent.vendorId }), sent);
  };
  const accepted = outcome?.receipt?.accepted && !outcome.receipt.processing?.refusedBy.length;
  return html`<section aria-labelledby=${`${form}-title`} class="event-form">
    <h3 id=${`${form}-title`}>${title}</h3>
    ${help ? html`<p>${help}</p>` : null}
    <form id=${form} onSubmit=${submit} ref=${area}>
      <div class="form-grid">
        ${shown.map(
          (field) => html`<${Field} t=${t} form=${form} ...${field} value=${values[field.name]} set=${set} errors=${outcome?.byField} />`,
        )}
      </div>
      <button type="submit" disabled=${busy}>${submitLabel}</button>
      <${Outcome} t=${t} outcome=${outcome} busy=${busy} />
      ${accepted
        ? html`<p><a href=${vendorLink(outcome.vendorId)}>${t("sanction.seeVendor", { id: outcome.vendorId })}</a></p>`
        : null}
    </form>
  </section>`;
}

// The grounds: chosen among the policy's when the authority has one, else typed as codes.
function groundsField(t, language, authorities, authority) {
  const policy = policyOf(authorities, authority);
  const field = { name: "payload.grounds", label: t("sanction.grounds") };
  return policy
    ? { ...field, kind: "choices", options: groundOptions(t, language, policy) }
    : { ...field, hint: t("sanction.groundsTyped"), required: true };
}

export function ImposeForm({ session, authorities, values, setValues }) {
  const { t, language } = session;
  const kinds = KINDS.map((kind) => [kind, t(`sanctionKind.${kind}`)]);
  const date = t("form.dateHint");
  const list = t("form.listHint");
  const fields = (v) => [
    { name: "vendorId", label: t("sanction.vendorId"), required: true },
    { name: "payload.sanctionId", label: t("sanction.newId"), hint: t("sanction.newIdHint"), required: true },
    { name: "payload.kind", label: t("sanction.kind"), kind: "select", options: kinds },
    {
      name: "payload.authority",
      label: t("sanction.authority"),
      hint: t("sanction.authorityHint"),
      required: true,
      options: authoritySuggestions(t, authorities),
    },
    { name: "payload.decidedOn", label: t("sanction.decidedOn"), hint: date, required: true },
    { name: "payload.startsOn", label: t("sanction.startsOn"), hint: date, required: true },
    ...periodFields(t, v, false),
    groundsField(t, language, authorities, v["payload.authority"]),
    { name: "payload.serious", label: t("sanction.serious"), kind: "checkbox" },
    { name: "payload.agencies", label: t("sanction.agencies"), hint: list },
    { name: "payload.categories", label: t("sanction.categories"), hint: list },
    { name: "payload.coversAffiliates", label: t("sanction.coversAffiliates"), kind: "checkbox" },
    { name: "payload.reason", label: t("sanction.reason"), kind: "textarea" },
    { name: "payload.policyOverrideReason", label: t("sanction.overrideReason"), hint: t("sanction.overrideHint"), kind: "textarea" },
  ];
  return html`<${EventForm} session=${session} form="impose" title=${t("sanction.imposeTitle")} mutation=${IMPOSE}
    fields=${fields} variables=${imposed} values=${values} setValues=${setValues} submitLabel=${t("sanction.impose")} />`;
}

export function AmendForm({ session }) {
  const { t } = session;
  const [values, setValues] = useState(AMEND_START);
  const affiliates = [["", t("sanction.unchanged")], ["yes", t("sanction.yes")], ["no", t("sanction.no")]];
  const list = t("sanction.listUnchangedHint");
  const fields = (v) => [
    { name: "vendorId", label: t("sanction.vendorId"), required: true },
    { name: "payload.sanctionId", label: t("sanction.id"), required: true },
    { name: "payload.effectiveOn", label: t("sanction.effectiveOn"), hint: t("form.dateHint"), required: true },
    ...periodFields(t, v, true),
    { name: "payload.agencies", label: t("sanction.agencies"), hint: list },
    { name: "payload.categories", label: t("sanction.categories"), hint: list },
    { name: "coverAgencies", label: t("sanction.coverAllAgencies"), kind: "checkbox" },
    { name: "coverCategories", label: t("sanction.coverAllCategories"), kind: "checkbox" },
    { name: "payload.coversAffiliates", label: t("sanction.coversAffiliates"), kind: "select", options: affiliates },
    { name: "payload.reason", label: t("sanction.reason"), kind: "textarea", required: true },
    { name: "payload.policyOverrideReason", label: t("sanction.overrideReason"), hint: t("sanction.overrideHint"), kind: "textarea" },
  ];
  return html`<${EventForm} session=${session} form="amend" title=${t("sanction.amendTitle")} mutation=${AMEND}
    fields=${fields} variables=${amended} values=${values} setValues=${setValues} submitLabel=${t("sanction.amend")} />`;
}

export function LiftForm({ session }) {
  const { t } = session;
  const [values, setValues] = useState(LIFT_START);
  const fields = () => [
    { name: "vendorId", label: t("sanction.vendorId"), required: true },
    { name: "payload.sanctionId", label: t("sanction.id"), required: true },
    { name: "payload.effectiveOn", label: t("sanction.liftedFrom"), hint: t("form.dateHint"), required: true },
    { name: "payload.reason", label: t("sanction.reason"), kind: "textarea", required: true },
  ];
  return html`<${EventForm} session=${session} form="lift" title=${t("sanction.liftTitle")} mutation=${LIFT}
    fields=${fields} variables=${lifted} values=${values} setValues=${setValues} submitLabel=${t("sanction.lift")} />`;
}
