// Why something was refused: the reasons beside each refused event of a vendor's history (its
// `eventStatus` dead letters), and the auditor's page of a vendor's dead letters, those refused
// at ingest included (the log never held them: no history shows them). Who may read either is
// the API's: the history is shown to the roles that may read the log, the page to those that
// may read dead letters (app.js's PAGES).
import { html } from "./html.js";
import { InstantText } from "./i18n.js";
import { useRead } from "./reads.js";
import { vendorLink } from "./search.js";
import { Refusal } from "./signin.js";

// The API's largest page; a vendor with more letters shows its newest and says so.
const PAGE = 500;
const LETTERS = `query ConsoleVendorDeadLetters($vendorId: ID!, $first: Int!) {
  vendor(vendorId: $vendorId) { legalName }
  deadLetters(vendorId: $vendorId, first: $first) {
    totalCount
    edges { node { deadLetterId stage reason eventId eventType recordedAt overturned raw } }
  }
}`;
// The API's alias limit: one request asks the statuses of this many refused events at most.
const STATUSES_AT_ONCE = 30;

export function deadLettersLink(vendorId) {
  return `#/dead-letters/${encodeURIComponent(vendorId)}`;
}

// Each refused event's dead letters (its id → `[{stage, reason}]`), from its `eventStatus`:
// a few requests of aliased statuses, not one per event.
export async function refusalReasons(api, eventIds) {
  const chunks = [];
  for (let at = 0; at < eventIds.length; at += STATUSES_AT_ONCE) {
    chunks.push(eventIds.slice(at, at + STATUSES_AT_ONCE));
  }
  const answers = await Promise.all(
    chunks.map((ids) => {
      const variables = Object.fromEntries(ids.map((id, n) => [`e${n}`, id]));
      const query = `query ConsoleRefusals(${ids.map((_, n) => `$e${n}: ID!`).join(", ")}) {
        ${ids.map((_, n) => `e${n}: eventStatus(eventId: $e${n}) { eventId deadLetters { stage reason } }`).join("\n")}
      }`;
      return api(query, variables);
    }),
  );
  return Object.fromEntries(
    answers.flatMap((answer) => Object.values(answer)).map((status) => [status.eventId, status.deadLetters]),
  );
}

// The reasons of one refused event, each with the stage that gave it. Paragraphs, not a list:
// the history's entries are its list's items, and a reader counts them as such.
export function Reasons({ t, letters }) {
  if (!letters?.length) return null;
  return html`<div class="reasons">
    ${letters.map(
      (letter) => html`<p data-stage=${letter.stage}><strong>${t(`stage.${letter.stage}`)}</strong>: ${letter.reason}</p>`,
    )}
  </div>`;
}

export function VendorDeadLettersScreen({ session, argument }) {
  const { t, language, api } = session;
  const read = useRead(argument || null, () => api(LETTERS, { vendorId: argument, first: PAGE }));
  if (!argument) return html`<p role="alert">${t("vendor.noneNamed")}</p>`;
  if (read.refused) return html`<${Refusal} t=${t} messages=${read.refused} />`;
  if (read.value === undefined) return html`<p aria-live="polite">${t("loading")}</p>`;
  const { vendor, deadLetters } = read.value;
  const name = vendor?.legalName ?? argument;
  return html`<h2 id="dead-letters-title">${t("deadLetters.title", { vendor: name, count: deadLetters.totalCount })}</h2>
    <p><a href=${vendorLink(argument)}>${t("deadLetters.back", { vendor: name })}</a></p>
    ${deadLetters.totalCount > deadLetters.edges.length
      ? html`<p>${t("deadLetters.first", { count: deadLetters.edges.length })}</p>`
      : null}
    ${deadLetters.edges.length
      ? html`<table class="dead-letters" aria-labelledby="dead-letters-title">
          <thead>
            <tr>
              <th scope="col">${t("deadLetters.recorded")}</th>
              <th scope="col">${t("deadLetters.stage")}</th>
              <th scope="col">${t("deadLetters.event")}</th>
              <th scope="col">${t("deadLetters.reason")}</th>
            </tr>
          </thead>
          <tbody>
            ${deadLetters.edges.map(
              ({ node }) => html`<tr data-stage=${node.stage}>
                <td><${InstantText} iso=${node.recordedAt} language=${language} /></td>
                <td>
                  ${t(`stage.${node.stage}`)}
                  ${node.overturned ? html`<br /><small>${t("deadLetters.overturned")}</small>` : null}
                </td>
                <td>
                  ${node.eventType ? html`<code>${node.eventType}</code>` : "—"}
                  ${node.eventId ? html`<br /><small class="id">${node.eventId}</small>` : null}
                </td>
                <td>
                  ${node.reason}
                  ${node.raw === null
                    ? null
                    : html`<details>
                        <summary>${t("deadLetters.raw")}</summary>
                        <pre>${node.raw}</pre>
                      </details>`}
                </td>
              </tr>`,
            )}
          </tbody>
        </table>`
      : html`<p class="empty">${t("deadLetters.none")}</p>`}`;
}
