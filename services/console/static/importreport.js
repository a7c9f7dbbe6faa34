// One import's report (`importReport`): what the run read and did, the rows it refused with
// their lines and reasons (the report's first 100: every one is in the importer's
// `--refusals` file), and its candidates for review, a page at a time (`candidates`, the
// cursor in the address: `#/import/<report>?after=…`), each an entry of the list registered
// as a new vendor that may be a known one. Whether it is may be decided here by the roles the
// API lets record it (reviewdecision.js).
import { filtersLink } from "./address.js";
import { html } from "./html.js";
import { InstantText, oneDecimal } from "./i18n.js";
import { Pager } from "./pager.js";
import { useRead } from "./reads.js";
import { ReviewDecision } from "./reviewdecision.js";
import { vendorLink } from "./search.js";
import { Refusal } from "./signin.js";

const CANDIDATES_PAGE = 50;
const REPORT = `query ConsoleImportReport($reportId: ID!, $after: String) {
  importReport(reportId: $reportId) {
    reportId source fileName fileSha256 startedAt finishedAt recordedAt compared wholeListOf
    rowsRead vendorsCreated vendorsMatchedByIdentifier vendorsMatchedByName
    sanctionsImposed sanctionsAmended sanctionsLifted sanctionsUnchanged sanctionsWithheld sanctionsEnded
    namesAmended vendorsRenamed legalNamesCorrected identifiersAdded eventsSent
    refusedCount refused { line reason }
    reviewCount
    candidates(first: ${CANDIDATES_PAGE}, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { line name vendorId candidateName candidateVendorId score why } }
    }
  }
}`;
// The report's counts, in the order the importer prints them.
const COUNTS = [
  "rowsRead",
  "vendorsCreated",
  "vendorsMatchedByIdentifier",
  "vendorsMatchedByName",
  "sanctionsImposed",
  "sanctionsAmended",
  "sanctionsLifted",
  "sanctionsUnchanged",
  "sanctionsWithheld",
  "sanctionsEnded",
  "namesAmended",
  "vendorsRenamed",
  "legalNamesCorrected",
  "identifiersAdded",
  "eventsSent",
  "refusedCount",
  "reviewCount",
];

export function importLink(reportId) {
  return `#/import/${encodeURIComponent(reportId)}`;
}

function Facts({ t, language, report }) {
  return html`<dl class="facts">
    <dt>${t("importReport.file")}</dt><dd>${report.fileName}</dd>
    <dt>${t("importReport.sha256")}</dt><dd class="id"><code>${report.fileSha256}</code></dd>
    <dt>${t("importReport.started")}</dt><dd><${InstantText} iso=${report.startedAt} language=${language} /></dd>
    <dt>${t("importReport.finished")}</dt><dd><${InstantText} iso=${report.finishedAt} language=${language} /></dd>
    <dt>${t("importReport.recorded")}</dt><dd><${InstantText} iso=${report.recordedAt} language=${language} /></dd>
    <dt>${t("importReport.compared")}</dt>
    <dd>${t(report.compared ? "importReport.comparedYes" : "importReport.comparedNo")}</dd>
    ${report.wholeListOf.length
      ? html`<dt>${t("importReport.wholeListOf")}</dt><dd>${report.wholeListOf.join(", ")}</dd>`
      : null}
    ${COUNTS.map(
      (count) => html`<dt>${t(`importReport.${count}`)}</dt><dd class="number" data-count=${count}>${report[count]}</dd>`,
    )}
  </dl>`;
}

function RefusedRows({ t, report }) {
  return html`<section aria-labelledby="refused-title">
    <h3 id="refused-title">${t("importReport.refusedTitle", { count: report.refusedCount })}</h3>
    ${report.refusedCount > report.refused.length
      ? html`<p>${t("importReport.refusedFirst", { count: report.refused.length })}</p>`
      : null}
    ${report.refused.length
      ? html`<table class="refused-rows" aria-labelledby="refused-title">
          <thead>
            <tr><th scope="col">${t("importReport.line")}</th><th scope="col">${t("importReport.reason")}</th></tr>
          </thead>
          <tbody>
            ${report.refused.map(
              (row) => html`<tr data-line=${row.line ?? ""}>
                <td class="number">${row.line ?? t("importReport.noLine")}</td>
                <td>${row.reason}</td>
              </tr>`,
            )}
          </tbody>
        </table>`
      : html`<p class="empty">${t("importReport.noneRefused")}</p>`}
  </section>`;
}

function Candidates({ t, report, filters }) {
  const page = report.candidates;
  const route = importLink(report.reportId).slice(2);
  return html`<table class="candidates-review" aria-labelledby="review-title">
      <thead>
        <tr>
          <th scope="col">${t("importReport.line")}</th>
          <th scope="col">${t("importReport.entry")}</th>
          <th scope="col">${t("importReport.mayBe")}</th>
          <th scope="col">${t("search.score")}</th>
          <th scope="col">${t("importReport.why")}</th>
        </tr>
      </thead>
      <tbody>
        ${page.edges.map(
          ({ node }) => html`<tr data-line=${node.line}>
            <td class="number">${node.line}</td>
            <td>${node.name}<br /><a href=${vendorLink(node.vendorId)} class="id">${node.vendorId}</a></td>
            <td>${node.candidateName}<br /><a href=${vendorLink(node.candidateVendorId)} class="id">${node.candidateVendorId}</a></td>
            <td class="number">${oneDecimal(node.score)}</td>
            <td>${node.why}</td>
          </tr>`,
        )}
      </tbody>
    </table>
    <${Pager} t=${t} route=${route} filters=${filters} pageInfo=${page.pageInfo} />`;
}

function Review({ session, report, filters }) {
  const { t } = session;
  const page = report.candidates;
  return html`<section aria-labelledby="review-title">
    <h3 id="review-title">${t("importReport.reviewTitle", { count: report.reviewCount })}</h3>
    ${page.totalCount < report.reviewCount
      ? html`<p>${t("importReport.reviewArriving", { count: page.totalCount })}</p>`
      : null}
    ${page.edges.length
      ? html`<${Candidates} t=${t} report=${report} filters=${filters} />
          <${ReviewDecision} session=${session} candidates=${page.edges.map(({ node }) => node)} />`
      : html`<p class="empty">${t("importReport.noneForReview")}</p>`}
  </section>`;
}

export function ImportReportScreen({ session, argument, filters }) {
  const { t, language, api } = session;
  const after = filters.after ?? "";
  const read = useRead(argument ? JSON.stringify([argument, after]) : null, async () => {
    return (await api(REPORT, { reportId: argument, after: after || null })).importReport;
  });
  if (!argument) return html`<p role="alert">${t("importReport.noneNamed")}</p>`;
  if (read.refused) return html`<${Refusal} t=${t} messages=${read.refused} />`;
  if (read.value === undefined) return html`<p aria-live="polite">${t("loading")}</p>`;
  const report = read.value;
  if (report === null) return html`<p role="alert">${t("importReport.unknown", { id: argument })}</p>`;
  return html`<h2>${t("importReport.title", { source: report.source })} <small class="id">${report.reportId}</small></h2>
    <p><a href=${filtersLink("imports", {})}>${t("importReport.back")}</a></p>
    <${Facts} t=${t} language=${language} report=${report} />
    <${RefusedRows} t=${t} report=${report} />
    <${Review} session=${session} report=${report} filters=${filters} />`;
}
