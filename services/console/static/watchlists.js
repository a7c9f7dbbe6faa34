// The watchlists of the agencies the user sees (`watchlists`: a system owner's own, every
// agency's for the others): each agency's automatic list first (the vendors of its contracts
// not ended, which the registry's contracts keep: read only, never saved), then its saved
// lists by name, each with its vendors and when it was saved; a saved list can be taken into
// the form to be changed and saved again (watchlistform.js). The agency is the address's
// (`#/watchlists?agency=市民課`), so Back, a reload or a bookmark finds it.
import { useEffect, useRef, useState } from "preact/hooks";
import { filtersLink } from "./address.js";
import { watchlistName } from "./alertparts.js";
import { html } from "./html.js";
import { InstantText } from "./i18n.js";
import { useRead } from "./reads.js";
import { vendorLink } from "./search.js";
import { Refusal } from "./signin.js";
import { WatchlistForm } from "./watchlistform.js";

const WATCHLISTS = `query ConsoleWatchlists($agency: String) {
  watchlists(agency: $agency) { id watchlistId agency name automatic vendorIds savedAt }
}`;
// How many of a list's vendors are shown before "show all".
const SHOWN_VENDORS = 10;

function Vendors({ t, ids }) {
  const link = (id) => html`<li><a href=${vendorLink(id)}>${id}</a></li>`;
  if (ids.length === 0) return html`<span class="note">${t("watchlists.empty")}</span>`;
  if (ids.length <= SHOWN_VENDORS) return html`<ul class="watched">${ids.map(link)}</ul>`;
  return html`<details>
    <summary>${t("watchlists.vendorCount", { count: ids.length })}</summary>
    <ul class="watched">${ids.map(link)}</ul>
  </details>`;
}

function ListsTable({ session, lists, edit }) {
  const { t, language } = session;
  return html`<table class="watchlists">
    <caption>${t("watchlists.caption", { count: lists.length })}</caption>
    <thead>
      <tr>
        <th scope="col">${t("watchlists.agency")}</th>
        <th scope="col">${t("watchlists.name")}</th>
        <th scope="col">${t("watchlists.vendors")}</th>
        <th scope="col">${t("watchlists.savedAt")}</th>
        <th scope="col"><span class="visually-hidden">${t("watchlists.actions")}</span></th>
      </tr>
    </thead>
    <tbody>
      ${lists.map(
        (list) => html`<tr key=${list.watchlistId} data-watchlist=${list.name} data-agency=${list.agency} data-automatic=${String(list.automatic)}>
          <td>${list.agency}<small><a href=${filtersLink("alerts", { agency: list.agency, acknowledged: "false" })}>${t("watchlists.alertsOf")}</a></small></td>
          <td>
            ${watchlistName(t, list.name)}
            ${list.automatic ? html`<div class="why automatic">${t("watchlists.automatic")}</div>` : null}
          </td>
          <td><${Vendors} t=${t} ids=${list.vendorIds} /></td>
          <td>${list.savedAt ? html`<${InstantText} iso=${list.savedAt} language=${language} />` : "—"}</td>
          <td>
            ${list.automatic
              ? null
              : html`<button type="button" onClick=${() => edit(list)} aria-label=${t("watchlists.editNamed", { name: list.name })}>
                  ${t("watchlists.edit")}
                </button>`}
          </td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

export function WatchlistsScreen({ session, filters }) {
  const { t, api, agencies } = session;
  const agency = filters.agency ?? "";
  const { value: lists, refused, reload } = useRead(`watchlists:${agency}`, async () => (await api(WATCHLISTS, { agency: agency || null })).watchlists);
  // The form's starting values; a new `edits` count starts it afresh from them.
  const [editing, setEditing] = useState({ edits: 0, start: { agency: agencies[0] ?? agency, name: "", vendorIds: "" } });
  const formRef = useRef(null);
  const edit = (list) =>
    setEditing((now) => ({ edits: now.edits + 1, start: { agency: list.agency, name: list.name, vendorIds: list.vendorIds.join("\n") } }));
  // Taken into the form: focus on its first field, where the change begins.
  useEffect(() => {
    if (editing.edits) formRef.current?.querySelector("#save-watchlist-vendorIds")?.focus();
  }, [editing.edits]);
  const [typed, setTyped] = useState(agency);
  useEffect(() => setTyped(agency), [agency]);
  const show = (event) => {
    event.preventDefault();
    if (typed.trim() === agency) reload();
    else location.hash = filtersLink("watchlists", { agency: typed.trim() });
  };
  const known = [...new Set([...agencies, ...(lists ?? []).map((list) => list.agency)])];
  return html`<h2>${t("watchlists.title")}</h2>
    <p>${t("watchlists.help")}</p>
    <form class="inline filters" onSubmit=${show}>
      <label for="watchlists-agency">${t("watchlists.agency")}</label>
      <input id="watchlists-agency" list="watchlists-agencies" placeholder=${t("alerts.anyAgency")} value=${typed} onInput=${(event) => setTyped(event.target.value)} />
      <datalist id="watchlists-agencies">${known.map((name) => html`<option value=${name} />`)}</datalist>
      <button type="submit">${t("alerts.show")}</button>
    </form>
    <${Refusal} t=${t} messages=${refused} />
    ${lists === undefined
      ? refused
        ? null
        : html`<p aria-live="polite">${t("loading")}</p>`
      : lists.length === 0
        ? html`<p class="empty">${t("watchlists.none")}</p>`
        : html`<${ListsTable} session=${session} lists=${lists} edit=${edit} />`}
    <div ref=${formRef}>
      <${WatchlistForm} key=${editing.edits} session=${session} start=${editing.start} saved=${reload} agencyOptions=${known} />
    </div>`;
}
