// A vendor's record as its page lists it (vendors.js): its names in every script and former
// names, identifiers, affiliates, contracts and, for auditors and admins, everything recorded
// about it in log order with what refused it and why.
import { Reasons } from "./deadletters.js";
import { html } from "./html.js";
import { amountText, DateText, InstantText } from "./i18n.js";
import { vendorLink } from "./search.js";

// An identifier's scheme by its label; a scheme the console has no label for (schemes are
// open-ended) named as an identifier of that scheme, in the user's language.
const schemeLabel = (t, scheme) => t(`scheme.${scheme}`, {}, t("scheme.other", { scheme }));

export function Names({ t, language, vendor }) {
  const rows = [
    ["vendor.legalName", vendor.legalName],
    ["vendor.nameKana", vendor.nameKana],
    ["vendor.nameEn", vendor.nameEn],
    ["vendor.country", vendor.country],
  ];
  return html`<section aria-labelledby="names-title">
    <h3 id="names-title">${t("vendor.names")}</h3>
    <dl class="facts">
      ${rows.map(([label, value]) => html`<dt>${t(label)}</dt><dd>${value ?? "—"}</dd>`)}
      <dt>${t("vendor.aliases")}</dt>
      <dd>${vendor.aliases.length ? vendor.aliases.join(" / ") : "—"}</dd>
      <dt>${t("vendor.formerNames")}</dt>
      <dd>
        ${vendor.formerNames.length
          ? html`<ul>
              ${vendor.formerNames.map(
                (former) => html`<li>
                  ${former.name}
                  ${former.usedUntil
                    ? html` (${t("vendor.usedUntil")} <${DateText}
                          iso=${former.usedUntil}
                          language=${language}
                        />)`
                    : null}
                </li>`,
              )}
            </ul>`
          : "—"}
      </dd>
      <dt>${t("vendor.identifiers")}</dt>
      <dd>
        ${vendor.identifiers.length
          ? html`<ul>
              ${vendor.identifiers.map(
                (identifier) => html`<li>${schemeLabel(t, identifier.scheme)}: ${identifier.value}</li>`,
              )}
            </ul>`
          : "—"}
      </dd>
    </dl>
  </section>`;
}

export function Affiliates({ t, language, affiliates }) {
  return html`<section aria-labelledby="affiliates-title">
    <h3 id="affiliates-title">${t("vendor.affiliates")}</h3>
    ${affiliates.length
      ? html`<ul class="affiliates">
          ${affiliates.map(
            (affiliate) => html`<li data-affiliate=${affiliate.vendorId}>
              <a class="id" href=${vendorLink(affiliate.vendorId)}>${affiliate.vendorId}</a>
              <ul>
                ${affiliate.periods.map(
                  (period) => html`<li>
                    ${t("affiliate.from")} <${DateText} iso=${period.firstDay} language=${language} />
                    ${period.until
                      ? html`${" · "}${t("affiliate.endedOn")}
                          <${DateText} iso=${period.until} language=${language} />`
                      : html`${" · "}${t("affiliate.standing")}`}
                  </li>`,
                )}
              </ul>
            </li>`,
          )}
        </ul>`
      : html`<p class="empty">${t("vendor.noAffiliates")}</p>`}
  </section>`;
}

// A page of a longer list says it is the first: the rest is the API's (`after:`), not lost.
export function FirstShown({ t, page }) {
  if (page.totalCount <= page.edges.length) return null;
  return html`<p class="first-shown">${t("vendor.timelineFirst", { count: page.edges.length })}</p>`;
}

export function Contracts({ t, language, contracts }) {
  return html`<section aria-labelledby="contracts-title">
    <h3 id="contracts-title">${t("vendor.contracts", { count: contracts.totalCount })}</h3>
    <${FirstShown} t=${t} page=${contracts} />
    ${contracts.edges.length
      ? html`<table class="contracts" aria-labelledby="contracts-title">
          <thead>
            <tr>
              <th scope="col">${t("contract.id")}</th>
              <th scope="col">${t("contract.agency")}</th>
              <th scope="col">${t("contract.title")}</th>
              <th scope="col">${t("contract.criticality")}</th>
              <th scope="col">${t("contract.term")}</th>
              <th scope="col">${t("contract.amount")}</th>
              <th scope="col">${t("contract.terminatedOn")}</th>
            </tr>
          </thead>
          <tbody>
            ${contracts.edges.map(
              ({ node }) => html`<tr>
                <td>${node.contractId}</td>
                <td>${node.agency}</td>
                <td class="name">${node.title}</td>
                <td>${t(`criticality.${node.criticality}`)}</td>
                <td>
                  <${DateText} iso=${node.startsOn} language=${language} />${" – "}
                  <${DateText} iso=${node.endsOn} language=${language} />
                </td>
                <td class="number">${amountText(node.amount, node.currency, language)}</td>
                <td><${DateText} iso=${node.terminatedOn} language=${language} /></td>
              </tr>`,
            )}
          </tbody>
        </table>`
      : html`<p class="empty">${t("vendor.noContracts")}</p>`}
  </section>`;
}

export function Timeline({ t, language, events, reasons }) {
  return html`<section aria-labelledby="timeline-title">
    <h3 id="timeline-title">${t("vendor.timeline", { count: events.totalCount })}</h3>
    ${events.totalCount > events.edges.length
      ? html`<p>${t("vendor.timelineFirst", { count: events.edges.length })}</p>`
      : null}
    <ol class="timeline">
      ${events.edges.map(
        ({ node }) => html`<li data-event-type=${node.eventType} data-refused=${node.refusedBy.length > 0}>
          <div class="event-head">
            <strong>${t(`event.${node.eventType}`, {}, node.eventType)}</strong> <code>${node.eventType}</code>
          </div>
          <div>
            ${t("timeline.occurred")} <${InstantText} iso=${node.occurredAt} language=${language} />
            ${" · "}${t("timeline.recorded")} <${InstantText} iso=${node.recordedAt} language=${language} />
          </div>
          ${node.refusedBy.length
            ? html`<div class="refused" role="note">
                ${t("timeline.refused", { stages: node.refusedBy.map((stage) => t(`stage.${stage}`)).join(", ") })}
                <${Reasons} t=${t} letters=${reasons[node.eventId]} />
              </div>`
            : null}
          <div class="recorder">
            ${node.recordedBy
              ? t("timeline.by", {
                  subject: node.recordedBy.subject,
                  role: t(`role.${node.recordedBy.role.toLowerCase()}`),
                })
              : t("timeline.source", { source: node.source })}
          </div>
          <details>
            <summary>${t("timeline.payload")}</summary>
            <pre>${JSON.stringify(node.payload, null, 2)}</pre>
          </details>
        </li>`,
      )}
    </ol>
  </section>`;
}
