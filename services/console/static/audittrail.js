// The auditor's audit trail: what people recorded through the API (`auditTrail`), newest
// first, each with who (subject, role, agencies), from which address, when, the event's type,
// its vendor and a link to its status (eventstatus.js). Narrowed to one subject, and paged,
// in the address (`#/audit?subject=…&after=…`): Back from an event's status finds the page.
import { useEffect, useState } from "preact/hooks";
import { filtersLink } from "./address.js";
import { completeAuditLink } from "./completeaudit.js";
import { statusLink } from "./eventstatus.js";
import { html } from "./html.js";
import { InstantText } from "./i18n.js";
import { Pager } from "./pager.js";
import { useRead } from "./reads.js";
import { vendorLink } from "./search.js";
import { Refusal } from "./signin.js";

const PAGE = 50;
const TRAIL = `query ConsoleAuditTrail($subject: String, $after: String) {
  auditTrail(subject: $subject, first: ${PAGE}, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { eventId eventType vendorId recordedAt refusedBy recordedBy { subject role agencies client } } }
  }
}`;

const subjectLink = (subject) => filtersLink("audit", { subject });

function Entry({ t, language, node }) {
  const by = node.recordedBy;
  return html`<tr data-event=${node.eventId} data-event-type=${node.eventType}>
    <td><${InstantText} iso=${node.recordedAt} language=${language} /></td>
    <td>
      ${t(`event.${node.eventType}`, {}, node.eventType)}<br /><code>${node.eventType}</code>
      ${node.refusedBy.length
        ? html`<br /><small class="error">${t("audit.refusedBy", { stages: node.refusedBy.map((stage) => t(`stage.${stage}`)).join(", ") })}</small>`
        : null}
    </td>
    <td>
      ${node.vendorId.startsWith("watchlist:") // a watchlist's events are keyed by it: no vendor page
        ? html`<span class="id">${node.vendorId}</span>`
        : html`<a href=${vendorLink(node.vendorId)} class="id">${node.vendorId}</a>`}
    </td>
    <td><a href=${subjectLink(by.subject)} data-subject=${by.subject}>${by.subject}</a></td>
    <td>${t(`role.${by.role.toLowerCase()}`)}</td>
    <td>${by.agencies.length ? by.agencies.join(", ") : "—"}</td>
    <td>${by.client ?? t("audit.noAddress")}</td>
    <td><a href=${statusLink(node.eventId)} class="id">${t("audit.status")}</a></td>
  </tr>`;
}

export function AuditTrailScreen({ session, filters }) {
  const { t, language, api, may } = session;
  const subject = filters.subject ?? "";
  const after = filters.after ?? "";
  const read = useRead(JSON.stringify([subject, after]), async () => {
    return (await api(TRAIL, { subject: subject || null, after: after || null })).auditTrail;
  });
  const [typed, setTyped] = useState(subject);
  useEffect(() => setTyped(subject), [subject]);
  const submit = (event) => {
    event.preventDefault();
    // The same subject again reads again (more may have been recorded), with no new entry.
    const link = subjectLink(typed.trim());
    if (typed.trim() === subject && !after) read.reload();
    else location.hash = link;
  };
  const trail = read.value;
  return html`<h2 id="audit-title">${t("audit.title")}</h2>
    <p>${t("audit.help")}</p>
    ${may(["completeAudit"]) ? html`<p><a href=${completeAuditLink("")}>${t("audit.completeAudit")}</a></p>` : null}
    <form class="inline" onSubmit=${submit}>
      <label for="audit-subject">${t("audit.subject")}</label>
      <input id="audit-subject" value=${typed} onInput=${(e) => setTyped(e.target.value)} />
      <button type="submit">${t("audit.show")}</button>
      ${subject ? html`<a href="#/audit">${t("audit.everyone")}</a>` : null}
    </form>
    <${Refusal} t=${t} messages=${read.refused} />
    ${read.refused
      ? null
      : trail === undefined
        ? html`<p aria-live="polite">${t("loading")}</p>`
        : html`<p id="audit-count" role="status">
              ${subject ? t("audit.countOf", { count: trail.totalCount, subject }) : t("audit.count", { count: trail.totalCount })}
            </p>
            ${trail.edges.length
              ? html`<table class="audit-trail" aria-labelledby="audit-title">
                  <thead>
                    <tr>
                      <th scope="col">${t("audit.recorded")}</th>
                      <th scope="col">${t("audit.event")}</th>
                      <th scope="col">${t("audit.vendor")}</th>
                      <th scope="col">${t("audit.who")}</th>
                      <th scope="col">${t("audit.role")}</th>
                      <th scope="col">${t("audit.agencies")}</th>
                      <th scope="col">${t("audit.address")}</th>
                      <th scope="col">${t("audit.statusColumn")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${trail.edges.map(({ node }) => html`<${Entry} t=${t} language=${language} node=${node} />`)}
                  </tbody>
                </table>`
              : html`<p class="empty">${t("audit.none")}</p>`}
            <${Pager} t=${t} route="audit" filters=${filters} pageInfo=${trail.pageInfo} />`}`;
}
