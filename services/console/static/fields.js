// Forms that record events: each field labelled, and the field errors of the mutation's receipt
// (`errors: [{field, message, code}]`, nothing written) shown next to the field they name, the
// field marked invalid and described by its error; an error naming no field of the form is
// shown above the button, with its field. The API's message is English; an error whose code
// the console knows is introduced by its words in the user's language (`apiError.<code>`).
import { ApiRefusal } from "./api.js";
import { Waiting } from "./attempts.js";
import { html } from "./html.js";
import { said } from "./i18n.js";
import { Refusal } from "./signin.js";

// The setter a form's fields call, given the form's `setValues`: each change made to the values
// as they are when it lands. A setter that copied the values of its render lost all but the
// last of two changes made before the next render (autofill filling several fields).
// `also(name, value)`: other values a change resets (a sanction's grounds with its authority).
export function fieldSetter(setValues, also = () => ({})) {
  return (name, value) => setValues((now) => ({ ...now, [name]: value, ...also(name, value) }));
}

// A variable the API could not read (a date it cannot parse) names its place:
// "Variable '$payload' has invalid value at .decidedOn: …" is the field `payload.decidedOn`.
const VARIABLE_AT = /^Variable '\$(\w+)' (?:has|got) invalid value(?: at ([\w.[\]]+))?/;

// The field a refusal of the request names as a variable it could not read (its path in the
// mutation or query: `payload.decidedOn`, `decidedOn`), or null.
export function variableField(refusal) {
  const at = VARIABLE_AT.exec(refusal.message);
  return at && at[1] + (at[2] ?? "");
}

// The DOM id of a form's field: `impose` + `payload.period.endsOn` → impose-payload-period-endsOn.
function fieldId(form, name) {
  return `${form}-${name.replace(/\./g, "-")}`;
}

// The receipt's errors split: those of the form's fields (field → errors), the others.
function splitErrors(errors, names) {
  const byField = {};
  const others = [];
  for (const error of errors ?? []) {
    if (names.includes(error.field)) (byField[error.field] ??= []).push(error);
    else others.push(error);
  }
  return { byField, others };
}

// Choices of a list field (`kind: "choices"`): one checkbox per option, the value staying the
// comma-separated text a typed list is, so that the form sends it alike. A code in the value
// that is not an option (another authority's ground, a proposal's) stays shown, checked, so
// that what is sent is always on screen.
function Choices({ common, id, label, value, set, name, options }) {
  const chosen = listOrNull(value) ?? [];
  const known = options.map(([option]) => option);
  const shown = [...options, ...chosen.filter((code) => !known.includes(code)).map((code) => [code, code])];
  const toggle = (code, on) => {
    const next = shown.map(([option]) => option).filter((option) => (option === code ? on : chosen.includes(option)));
    set(name, next.join(", "));
  };
  return html`<fieldset ...${common} class="choices">
    <legend>${label}</legend>
    ${shown.map(
      ([option, text], index) => html`<span class="choice">
        <input type="checkbox" id=${`${id}-${index}`} value=${option} checked=${chosen.includes(option)}
          onChange=${(e) => toggle(option, e.target.checked)} />
        <label for=${`${id}-${index}`}>${text}</label>
      </span>`,
    )}
  </fieldset>`;
}

// One field: its label, the input (text, number, select, checkbox or textarea), a hint, its
// errors. `name` is the field's path in the mutation (`payload.startsOn`): its value's key in
// the form's values and the key of its errors. A number's least value is `min` (1 unless said).
export function Field({ t, form, name, label, hint, value, set, errors, kind = "text", options, required, min = 1 }) {
  const id = fieldId(form, name);
  const messages = errors?.[name] ?? [];
  const described = [hint ? `${id}-hint` : null, messages.length ? `${id}-error` : null]
    .filter(Boolean)
    .join(" ");
  // A text field's `options` are suggestions (a datalist): offered, not imposed (an authority
  // not yet on record may be typed); a choices field's are its checkboxes.
  const suggested = kind === "text" && options ? `${id}-list` : null;
  const common = {
    id,
    "data-field": name,
    "aria-invalid": messages.length ? "true" : null,
    "aria-describedby": described || null,
    list: suggested,
    autocomplete: suggested ? "off" : null,
  };
  let input;
  if (kind === "choices") {
    input = html`<${Choices} common=${common} id=${id} label=${label} value=${value} set=${set} name=${name} options=${options} />`;
  } else if (kind === "checkbox") {
    input = html`<input ...${common} type="checkbox" checked=${value} onChange=${(e) => set(name, e.target.checked)} />`;
  } else if (kind === "select") {
    input = html`<select ...${common} value=${value} onChange=${(e) => set(name, e.target.value)}>
      ${options.map(([option, text]) => html`<option value=${option}>${text}</option>`)}
    </select>`;
  } else if (kind === "textarea") {
    input = html`<textarea ...${common} rows="2" required=${required} value=${value} onInput=${(e) => set(name, e.target.value)}></textarea>`;
  } else {
    const type = kind === "number" ? "number" : "text";
    input = html`<input ...${common} type=${type} min=${kind === "number" ? min : null} required=${required} value=${value}
      onInput=${(e) => set(name, e.target.value)} />`;
  }
  let labelled; // a choices field's legend is its label
  if (kind === "choices") labelled = input;
  else if (kind === "checkbox") labelled = html`${input}<label for=${id}>${label}</label>`;
  else labelled = html`<label for=${id}>${label}</label>${input}`;
  return html`<div class=${`field field-${kind}`}>
    ${labelled}
    ${suggested
      ? html`<datalist id=${suggested}>${options.map(([option, text]) => html`<option value=${option} label=${text}></option>`)}</datalist>`
      : null}
    ${hint ? html`<small id=${`${id}-hint`}>${hint}</small>` : null}
    ${messages.length
      ? html`<p class="error field-error" id=${`${id}-error`}>${messages.map((error) => said(t, error)).join("; ")}</p>`
      : null}
  </div>`;
}

// What became of a form's event: accepted (with what the services did, when waited for), or
// the errors no field of the form holds; the fields' own errors are shown at the fields. While
// an attempt is `busy`, that the form waits for its answer (`attempts.js`).
export function Outcome({ t, outcome, busy = false }) {
  if (busy) return html`<${Waiting} t=${t} busy=${busy} />`;
  if (!outcome) return null;
  if (outcome.refused) return html`<${Refusal} t=${t} messages=${outcome.refused} />`;
  if (!outcome.receipt || !outcome.receipt.accepted) {
    return outcome.others.length
      ? html`<${Refusal} t=${t} messages=${outcome.others.map((error) => `${error.field}: ${said(t, error)}`)} />`
      : html`<p class="error" role="alert">${t("form.fieldErrors")}</p>`;
  }
  const { processing, processingTimedOut, eventId } = outcome.receipt;
  const refusals = processing ? processing.deadLetters.map((letter) => `${letter.stage}: ${letter.reason}`) : [];
  if (refusals.length) return html`<${Refusal} t=${t} messages=${refusals} />`;
  // The wait ran out (a busy system, a rebuild): recorded, but not "done"; a service may yet
  // refuse it, which the vendor's history will say.
  if (processingTimedOut && processing?.pending.length) {
    const stages = processing.pending.map((stage) => t(`stage.${stage}`)).join(", ");
    return html`<p class="recorded-pending" role="status">${t("form.recordedPending", { id: eventId, stages })}</p>`;
  }
  return html`<p class="accepted" role="status">${t("form.recorded", { id: eventId })}</p>`;
}

// The receipt's fields every form asks for.
export const RECEIPT =
  "accepted eventId errors { field message code } processingTimedOut processing { refusedBy pending deadLetters { stage reason } }";

// A comma- or line-separated list typed in one field; empty: null (the API's "all").
export function listOrNull(text) {
  const items = text
    .split(/[,、\n]/)
    .map((item) => item.trim())
    .filter(Boolean);
  return items.length ? items : null;
}

// Sends one mutation (its one root field answers a receipt): the receipt with its errors split
// by the form's fields (`names`), or the API's refusal of the request, a variable it could not
// read shown at its field too. `key`: the submission's idempotency key (`attempts.useAttempt`),
// sent as `$idempotencyKey`, which each mutation passes to its root field.
export async function record(api, query, variables, names, key = null) {
  try {
    const receipt = Object.values(await api(query, key ? { ...variables, idempotencyKey: key } : variables))[0];
    return { receipt, ...splitErrors(receipt.errors, names) };
  } catch (error) {
    if (!(error instanceof ApiRefusal)) throw error;
    const byField = {};
    const refused = [];
    for (const refusal of error.messages) {
      const field = variableField(refusal);
      if (field && names.includes(field)) (byField[field] ??= []).push(refusal);
      else refused.push(refusal);
    }
    return { refused: refused.length ? refused : null, receipt: null, byField, others: [] };
  }
}
