// A form's draft over values that change live (a plan's settings, read again on each
// `migrationProgress` step, another owner's change among them): what the user typed survives a
// change of the values the form started from, where the form was started again from them and
// the typing lost. A field left alone takes the new value; an edited one keeps the user's
// text, and when its value changed meanwhile the form says so, with the value now recorded,
// and lets the user take it or keep theirs.
import { useEffect, useState } from "preact/hooks";
import { html } from "./html.js";

// Whether two texts of a field say the same: compared as the form reads them into what it sends
// (`reads`: name → read), so that "C-1,C-3" typed and "C-1, C-3" recorded, or "05" and "5", are
// one value: the user's own save coming back written the plan's way is not a change meanwhile.
function sameValue(reads, name, one, other) {
  const read = reads[name] ?? ((text) => text);
  return JSON.stringify(read(one)) === JSON.stringify(read(other));
}

// The draft once the values recorded are `current`: fields not edited (the text still says the
// `base` the form took) follow; `meanwhile` holds the edited ones whose recorded value changed
// under them and is not what the user typed (name → the value now), until taken or kept.
function rebased(draft, current, same) {
  const values = {};
  const meanwhile = {};
  for (const [name, now] of Object.entries(current)) {
    const typed = draft.values[name];
    const edited = !same(name, typed, draft.base[name]) && !same(name, typed, now);
    values[name] = edited ? typed : now;
    const changed = !same(name, now, draft.base[name]) || name in draft.meanwhile;
    if (edited && changed) meanwhile[name] = now;
  }
  return { base: current, values, meanwhile };
}

// `values` and `setValues` as a form's state (for `fields.fieldSetter`), kept across changes of
// `current`; `meanwhile`, and `takeNew` / `keepMine` to settle it. `reads`: each field's read
// (name → function from its text to the value sent), by which texts are compared.
export function useLiveDraft(current, reads = {}) {
  const same = (name, one, other) => sameValue(reads, name, one, other);
  const [draft, setDraft] = useState({ base: current, values: current, meanwhile: {} });
  useEffect(() => setDraft((now) => rebased(now, current, same)), [JSON.stringify(current)]);
  // Typing what is recorded now settles that field's notice.
  const settled = (values, meanwhile) =>
    Object.fromEntries(Object.entries(meanwhile).filter(([name, now]) => !same(name, values[name], now)));
  return {
    values: draft.values,
    meanwhile: draft.meanwhile,
    setValues: (change) =>
      setDraft((now) => {
        const values = change(now.values);
        return { ...now, values, meanwhile: settled(values, now.meanwhile) };
      }),
    takeNew: () => setDraft((now) => ({ ...now, values: { ...now.values, ...now.meanwhile }, meanwhile: {} })),
    keepMine: () => setDraft((now) => ({ ...now, meanwhile: {} })),
    saved: (names) => setDraft((now) => savedAs(now, names)),
  };
}

// The draft once the user's save of the fields `names` is accepted: they follow what the plan
// records of them, however it writes what was typed (an era date "R14.3.1" recorded as
// 2032-03-01, which no comparison of texts knows for the same day). The plan may have come
// back before the answer: a value it said changed meanwhile is the one recorded, taken;
// else the text sent is the base, and the plan's next values replace it.
function savedAs(draft, names) {
  const values = { ...draft.values };
  const base = { ...draft.base };
  const meanwhile = { ...draft.meanwhile };
  for (const name of names) {
    if (name in meanwhile) {
      values[name] = meanwhile[name];
      delete meanwhile[name];
    } else {
      base[name] = values[name];
    }
  }
  return { base, values, meanwhile };
}

// The value of a field as the form shows it: a choice by its words, nothing as "none".
function shown(t, field, value) {
  if (value === "") return t("draft.none");
  return field.options?.find(([option]) => option === value)?.[1] ?? value;
}

// The notice of values changed meanwhile, each field with its value now; `fields` as the form
// has them (name, label, options).
export function ChangedMeanwhile({ t, form, fields, meanwhile, takeNew, keepMine }) {
  const changed = fields.filter((field) => field.name in meanwhile);
  if (!changed.length) return null;
  return html`<div class="meanwhile" role="status" id=${`${form}-meanwhile`}>
    <p>${t("draft.changedMeanwhile")}</p>
    <ul>
      ${changed.map(
        (field) => html`<li data-field=${field.name}>${field.label}: <span class="now">${shown(t, field, meanwhile[field.name])}</span></li>`,
      )}
    </ul>
    <button type="button" data-meanwhile="take" onClick=${takeNew}>${t("draft.takeNew")}</button>
    <button type="button" data-meanwhile="keep" onClick=${keepMine}>${t("draft.keepMine")}</button>
  </div>`;
}
