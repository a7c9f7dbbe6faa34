// How a system owner sets up a plan: the plan's settings (configureMigrationPlan: phases,
// capacity, early cut-overs, deadline, blackouts) on the plan's page, and an item's
// (configureMigrationItem: criticality, dependencies, lead time, window) on the item. Each form
// starts from what the plan is now and sends only what the user changed (the API changes only
// the fields given); the receipt's field errors are shown at the fields. The schedule that
// follows arrives live (migrationProgress), and the page draws it.
import { useAttempt } from "./attempts.js";
import { Field, fieldSetter, listOrNull, Outcome, RECEIPT, record } from "./fields.js";
import { html } from "./html.js";
import { ChangedMeanwhile, useLiveDraft } from "./livedraft.js";
import { Locked } from "./readonly.js";

// The settings travel as `$settings` (an item's as `$item`), named as the arguments, so that a
// value the API cannot read (a date) is reported at `settings.deadlineOn`, the path the
// receipt's own errors name too.
const CONFIGURE_PLAN = `mutation ConsoleConfigurePlan($planId: ID!, $settings: MigrationPlanSettingsInput!,
    $idempotencyKey: String) {
  configureMigrationPlan(planId: $planId, settings: $settings, waitForProcessing: true,
      idempotencyKey: $idempotencyKey) { ${RECEIPT} }
}`;
const CONFIGURE_ITEM = `mutation ConsoleConfigureItem($planId: ID!, $contractId: ID!, $item: MigrationItemInput!,
    $idempotencyKey: String) {
  configureMigrationItem(planId: $planId, contractId: $contractId, item: $item,
      waitForProcessing: true, idempotencyKey: $idempotencyKey) { ${RECEIPT} }
}`;
const EARLY = ["FORBID", "PENALISE"];
const CRITICALITIES = ["RESIDENT_FACING", "LEGALLY_MANDATED", "INTERNAL"];
const BLACKOUTS = "settings.blackouts";
// A blackout as one line: its first day, its last day, then why ("2027-02-01 2027-02-28 tax").
const BLACKOUT_LINE = /^(\S+)\s+(\S+)\s+(.+)$/;

// How a field's text becomes the value sent: a number (empty keeps the current one), a day
// (empty clears it), a choice, a list (empty: none), the blackout windows.
const number = (text) => (text.trim() === "" ? undefined : Number(text));
const day = (text) => text.trim() || null;
const choice = (text) => text;
const list = (text) => listOrNull(text) ?? [];

// The text's windows, each with its line's number as the user counts them (from 1, blank
// lines included): the n-th window sent is `lines[n].line`.
function blackoutLines(text) {
  return text
    .split("\n")
    .map((line, index) => ({ line: index + 1, text: line.trim() }))
    .filter((line) => line.text);
}

function blackoutsOf(text) {
  return blackoutLines(text).map(({ text: line }) => {
    const parts = BLACKOUT_LINE.exec(line);
    // Never sent (incompleteBlackouts stops the form first); read to compare texts.
    return parts ? { startsOn: parts[1], endsOn: parts[2], reason: parts[3].trim() } : { startsOn: line };
  });
}

// The lines not in three parts, said by their number before anything is sent: sent as read,
// a line in part became a request error counted from zero ("at .blackouts[1]").
function incompleteBlackouts(t, text) {
  return blackoutLines(text)
    .filter(({ text: line }) => !BLACKOUT_LINE.test(line))
    .map(({ line }) => t("migrationForm.blackoutIncomplete", { line }));
}

function blackoutsText(blackouts) {
  return blackouts.map((b) => `${b.startsOn} ${b.endsOn} ${b.reason}`).join("\n");
}

// The fields whose text differs from the plan's now, as the input object the API takes.
function changes(fields, values, current) {
  const input = {};
  for (const field of fields) {
    if (values[field.name] === current[field.name]) continue;
    const value = field.read(values[field.name]);
    if (value !== undefined) input[field.name.slice(field.name.indexOf(".") + 1)] = value;
  }
  return input;
}

// Every path an error about the blackouts may name (the request's `settings.blackouts[0].endsOn`,
// the receipt's `settings.blackouts.0.endsOn`), so that each is shown at the one blackouts field.
function blackoutPaths(count) {
  const paths = [BLACKOUTS];
  for (let n = 0; n < count; n += 1) {
    paths.push(`${BLACKOUTS}.${n}`, `${BLACKOUTS}[${n}]`);
    for (const name of ["startsOn", "endsOn", "reason"]) {
      paths.push(`${BLACKOUTS}.${n}.${name}`, `${BLACKOUTS}[${n}].${name}`);
    }
  }
  return paths;
}

// The window an error's path names (`settings.blackouts.1.endsOn`, `settings.blackouts[1]`),
// by its index among those sent, or null.
const WINDOW_AT = /^settings\.blackouts(?:\.(\d+)|\[(\d+)\])/;

// An error about one window, led by its line's number in the user's words ("line 2: …").
function atLine(t, error, line) {
  const where = t("migrationForm.blackoutLine", { line });
  const words = error.code ? t(`apiError.${error.code}`, {}, "") : "";
  return { ...error, words: words ? `${where}: ${words}` : where };
}

function foldBlackouts(t, byField, text) {
  const lines = blackoutLines(text ?? "");
  const folded = {};
  for (const [name, errors] of Object.entries(byField)) {
    const named = WINDOW_AT.exec(name);
    const index = named ? Number(named[1] ?? named[2]) : null;
    const said = index === null ? errors : errors.map((error) => atLine(t, error, lines[index]?.line ?? index + 1));
    const at = name.startsWith(BLACKOUTS) ? BLACKOUTS : name;
    (folded[at] ??= []).push(...said);
  }
  return folded;
}

// One configure form: `current` is the plan's values as the fields hold them; the fields the
// user has not edited follow them as they change, the edited ones keep the user's text
// (`livedraft.js`: a schedule's new version, or another owner's change, does not wipe what is
// being typed). `root`: the mutation's root field, which the user's role may or may not use;
// `heading`: the title's element, as deep as where the form sits.
function ConfigureForm({ session, form, title, heading, root, mutation, fields, current, variables, changed, closed = null }) {
  const { t, api } = session;
  const reads = Object.fromEntries(fields.map((field) => [field.name, field.read]));
  const { values, setValues, meanwhile, takeNew, keepMine, saved } = useLiveDraft(current, reads);
  const { outcome, busy, attempt, area } = useAttempt({ values });
  const set = fieldSetter(setValues);
  const submit = async (event) => {
    event.preventDefault();
    // What the form can tell before sending (a blackout's line in part), said at its field.
    const found = fields
      .filter((field) => field.check && values[field.name] !== current[field.name])
      .map((field) => [field.name, field.check(values[field.name])])
      .filter(([, problems]) => problems.length);
    if (found.length) {
      await attempt(async () => ({ receipt: null, refused: null, others: [], byField: Object.fromEntries(found) }));
      return;
    }
    const input = changes(fields, values, current);
    const sent = fields.filter((field) => values[field.name] !== current[field.name]).map((field) => field.name);
    const names = [...fields.map((field) => field.name), ...blackoutPaths(input.blackouts?.length ?? 0)];
    const sends = variables(input);
    const result = await attempt(async (key) => {
      const answer = await record(api, mutation, sends, names, key);
      return { ...answer, byField: foldBlackouts(t, answer.byField, values[BLACKOUTS]) };
    }, sends);
    if (result.receipt?.accepted) {
      saved(sent);
      changed();
    }
  };
  return html`<form id=${form} class="configure" onSubmit=${submit} aria-labelledby=${`${form}-title`} ref=${area}>
    <${heading} id=${`${form}-title`}>${title}</${heading}>
    <${Locked} session=${session} mutation=${root} id=${form} closed=${closed}>
      <${ChangedMeanwhile} t=${t} form=${form} fields=${fields} meanwhile=${meanwhile} takeNew=${takeNew} keepMine=${keepMine} />
      <div class="form-grid">
        ${fields.map(
          ({ read, check, ...field }) =>
            html`<${Field} t=${t} form=${form} ...${field} value=${values[field.name]} set=${set} errors=${outcome?.byField} />`,
        )}
      </div>
      <button type="submit" disabled=${busy}>${t("migrationForm.save")}</button>
      <${Outcome} t=${t} outcome=${outcome} busy=${busy} />
    </${Locked}>
  </form>`;
}

export function PlanSettingsForm({ session, plan, changed }) {
  const { t } = session;
  const settings = plan.settings;
  const fields = [
    { name: "settings.phaseMonths", label: t("migrationForm.phaseMonths"), kind: "number", read: number },
    { name: "settings.capacity", label: t("migrationForm.capacity"), kind: "number", read: number },
    {
      name: "settings.earlyCutover",
      label: t("migrationForm.earlyCutover"),
      kind: "select",
      options: EARLY.map((early) => [early, t(`migration.early.${early}`)]),
      read: choice,
    },
    { name: "settings.earlyPenalty", label: t("migrationForm.earlyPenalty"), kind: "number", min: 0, read: number },
    { name: "settings.deadlineOn", label: t("migrationForm.planDeadline"), hint: t("migrationForm.dayOrNone"), read: day },
    {
      name: BLACKOUTS,
      label: t("migrationForm.blackouts"),
      hint: t("migrationForm.blackoutsHint"),
      kind: "textarea",
      read: blackoutsOf,
      check: (text) => incompleteBlackouts(t, text),
    },
  ];
  const current = {
    "settings.phaseMonths": String(settings.phaseMonths),
    "settings.capacity": String(settings.capacity),
    "settings.earlyCutover": settings.earlyCutover,
    "settings.earlyPenalty": String(settings.earlyPenalty),
    "settings.deadlineOn": settings.deadlineOn ?? "",
    [BLACKOUTS]: blackoutsText(settings.blackouts),
  };
  return html`<${ConfigureForm} session=${session} form="plan-settings" title=${t("migrationForm.planTitle")}
    heading="h3" root="configureMigrationPlan" mutation=${CONFIGURE_PLAN} fields=${fields} current=${current} changed=${changed}
    variables=${(settings) => ({ planId: plan.planId, settings })} />`;
}

export function ItemSettingsForm({ session, plan, item, changed, closed = null }) {
  const { t } = session;
  const fields = [
    {
      name: "item.criticality",
      label: t("contract.criticality"),
      kind: "select",
      options: CRITICALITIES.map((criticality) => [criticality, t(`criticality.${criticality}`)]),
      read: choice,
    },
    { name: "item.dependsOn", label: t("migration.dependsOn"), hint: t("migrationForm.dependsOnHint"), read: list },
    { name: "item.leadTimeMonths", label: t("migrationForm.leadTime"), kind: "number", min: 0, read: number },
    { name: "item.earliestOn", label: t("migrationForm.earliestOn"), hint: t("migrationForm.dayOrNone"), read: day },
    { name: "item.deadlineOn", label: t("migration.deadlineOn"), hint: t("migrationForm.dayOrNone"), read: day },
  ];
  const current = {
    "item.criticality": item.criticality,
    "item.dependsOn": item.dependsOn.join(", "),
    "item.leadTimeMonths": String(item.leadTimeMonths),
    "item.earliestOn": item.earliestOn ?? "",
    "item.deadlineOn": item.deadlineOn ?? "",
  };
  return html`<${ConfigureForm} session=${session} form=${`item-settings-${item.contractId}`}
    title=${`${item.contractId}: ${t("migrationForm.itemTitle")}`} heading="h4" root="configureMigrationItem" mutation=${CONFIGURE_ITEM} fields=${fields} current=${current}
    changed=${changed} closed=${closed} variables=${(input) => ({ planId: plan.planId, contractId: item.contractId, item: input })} />`;
}
