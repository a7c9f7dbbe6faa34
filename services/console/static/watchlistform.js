// Saving a watchlist (saveWatchlist): an agency's list under a name, its vendors by id, pasted
// one a line or found by name and added; saving a name again replaces that list. The API's
// refusals are shown at their fields (another agency's, the automatic list's name, vendors it
// does not know); the receipt waits for the alerts service, which tells the agency at once of
// a vendor already barred there. A role that may read watchlists but not save them sees the
// form disabled, with why.
import { useState } from "preact/hooks";
import { ApiRefusal } from "./api.js";
import { useAttempt } from "./attempts.js";
import { Field, fieldSetter, Outcome, RECEIPT, record } from "./fields.js";
import { html } from "./html.js";
import { oneDecimal } from "./i18n.js";
import { Locked } from "./readonly.js";
import { FIND_VENDOR, vendorLink } from "./search.js";
import { Refusal } from "./signin.js";

const SAVE = `mutation ConsoleSaveWatchlist($agency: String!, $name: String!, $vendorIds: [ID!]!, $idempotencyKey: String) {
  saveWatchlist(agency: $agency, name: $name, vendorIds: $vendorIds, idempotencyKey: $idempotencyKey,
      waitForProcessing: true) { ${RECEIPT} }
}`;
const NAMES = ["agency", "name", "vendorIds"];
const FORM = "save-watchlist";

// The vendor ids of the pasted text: one a line, trimmed, blank lines skipped.
// Each id once, in the order given: the list saved holds an id once, so "3 vendors" for
// vendor-b, vendor-c, vendor-b counted one twice.
export const idsOf = (text) => [...new Set(text.split("\n").map((line) => line.trim()).filter(Boolean))];

// An error at one of a list's items (`vendorIds.2`, `vendorIds[2]`) is shown at the list's field.
function atFields(outcome) {
  const byField = { ...outcome.byField };
  const others = [];
  for (const error of outcome.others) {
    const field = NAMES.find((name) => error.field.startsWith(`${name}.`) || error.field.startsWith(`${name}[`));
    if (field) (byField[field] ??= []).push(error);
    else others.push(error);
  }
  return { ...outcome, byField, others };
}

// Finds vendors by name, reading or identifier (`vendors(search:)`) and adds the one chosen.
function FindVendor({ t, api, add }) {
  const [search, setSearch] = useState("");
  const [found, setFound] = useState({ hits: null, refused: null });
  const find = async () => {
    if (!search.trim()) return;
    try {
      const { vendors } = await api(FIND_VENDOR, { search: search.trim() });
      setFound({ hits: vendors, refused: null });
    } catch (error) {
      if (!(error instanceof ApiRefusal)) throw error;
      setFound({ hits: null, refused: error.messages });
    }
  };
  // Enter in the search finds (it would otherwise save the list, the form's submit).
  const onKeyDown = (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    find();
  };
  return html`<div class="find-vendor">
    <label for=${`${FORM}-search`}>${t("watchlists.find")}</label>
    <div class="inline">
      <input id=${`${FORM}-search`} value=${search} onInput=${(event) => setSearch(event.target.value)} onKeyDown=${onKeyDown} />
      <button type="button" onClick=${find}>${t("watchlists.findButton")}</button>
    </div>
    <${Refusal} t=${t} messages=${found.refused} />
    ${found.hits && found.hits.length === 0 ? html`<p class="empty">${t("search.none")}</p>` : null}
    ${found.hits && found.hits.length
      ? html`<ul class="found-vendors">
          ${found.hits.map(
            (hit) => html`<li data-vendor=${hit.vendorId}>
              <button type="button" onClick=${() => add(hit.vendorId)} aria-label=${t("watchlists.addNamed", { id: hit.vendorId })}>
                ${t("watchlists.add")}
              </button>${" "}
              <a href=${vendorLink(hit.vendorId)}>${hit.matchedName}</a> <span class="id">${hit.vendorId}</span>
              <span class="why"> ${oneDecimal(hit.score)}</span>
            </li>`,
          )}
        </ul>`
      : null}
  </div>`;
}

// `start`: the values the form starts from (a list to edit, or an empty one); `saved`: called
// once the list is saved (the screen reads the lists again).
export function WatchlistForm({ session, start, saved, agencyOptions }) {
  const { t, api, agencies, may, role } = session;
  const [values, setValues] = useState(start);
  const { outcome, busy, attempt, area } = useAttempt();
  const set = fieldSetter(setValues);
  const add = (vendorId) =>
    setValues((now) => (idsOf(now.vendorIds).includes(vendorId) ? now : { ...now, vendorIds: [...idsOf(now.vendorIds), vendorId].join("\n") }));
  const submit = async (event) => {
    event.preventDefault();
    const sent = { agency: values.agency.trim(), name: values.name.trim(), vendorIds: idsOf(values.vendorIds) };
    const result = await attempt(async (key) => atFields(await record(api, SAVE, sent, NAMES, key)), sent);
    if (result.receipt?.accepted && !result.receipt.processing?.refusedBy.length) saved(sent);
  };
  // A system owner's agencies are in its token: one of them, chosen; others type any, offered
  // the agencies of the lists they see.
  const agency = agencies.length
    ? { kind: "select", options: agencies.map((name) => [name, name]) }
    : { required: true, options: agencyOptions.map((name) => [name, name]) };
  const closed = may(["saveWatchlist"]) ? null : t("watchlists.readOnly", { role: t(`role.${role}`) });
  const count = idsOf(values.vendorIds).length;
  return html`<section class="event-form" aria-labelledby=${`${FORM}-title`}>
    <h3 id=${`${FORM}-title`}>${t("watchlists.formTitle")}</h3>
    <p>${t("watchlists.formHelp")}</p>
    <${Locked} session=${session} mutation="saveWatchlist" id=${FORM} closed=${closed}>
      <form id=${FORM} onSubmit=${submit} ref=${area}>
        <div class="form-grid">
          <${Field} t=${t} form=${FORM} name="agency" label=${t("watchlists.agency")} ...${agency} value=${values.agency} set=${set} errors=${outcome?.byField} />
          <${Field} t=${t} form=${FORM} name="name" label=${t("watchlists.name")} required value=${values.name} set=${set} errors=${outcome?.byField} />
        </div>
        <${Field} t=${t} form=${FORM} name="vendorIds" label=${t("watchlists.vendorIds")} hint=${t("watchlists.vendorIdsHint", { count })} kind="textarea" value=${values.vendorIds} set=${set} errors=${outcome?.byField} />
        <${FindVendor} t=${t} api=${api} add=${add} />
        <button type="submit" disabled=${busy}>${t("watchlists.save")}</button>
        <${Outcome} t=${t} outcome=${outcome} busy=${busy} />
      </form>
    <//>
  </section>`;
}
