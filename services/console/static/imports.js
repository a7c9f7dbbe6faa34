// The imports' list (`imports`): each `vendorwatch import` of a list, newest first, with its
// source, file, when it finished and its counts (rows read, sanctions imposed, amended and
// lifted, rows refused, sanctions already over, candidates for review), each linked to its
// report (importreport.js). Paged in the address (`#/imports?after=…`, pager.js).
import { html } from "./html.js";
import { InstantText } from "./i18n.js";
import { importLink } from "./importreport.js";
import { Pager } from "./pager.js";
import { useRead } from "./reads.js";
import { Refusal } from "./signin.js";

const PAGE = 25;
const IMPORTS = `query ConsoleImports($after: String) {
  imports(first: ${PAGE}, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { reportId source fileName finishedAt rowsRead vendorsCreated sanctionsImposed
      sanctionsAmended sanctionsLifted sanctionsUnchanged refusedCount sanctionsEnded reviewCount } }
  }
}`;

// What an import changed in the registry, in one cell.
export function importedText(t, report) {
  return t("imports.importedCounts", {
    imposed: report.sanctionsImposed,
    amended: report.sanctionsAmended,
    lifted: report.sanctionsLifted,
    unchanged: report.sanctionsUnchanged,
    vendors: report.vendorsCreated,
  });
}

export function ImportsScreen({ session, filters }) {
  const { t, language, api } = session;
  const after = filters.after ?? "";
  const read = useRead(after, async () => (await api(IMPORTS, { after: after || null })).imports);
  const imports = read.value;
  return html`<h2 id="imports-title">${t("imports.title")}</h2>
    <p>${t("imports.help")}</p>
    <${Refusal} t=${t} messages=${read.refused} />
    ${read.refused
      ? null
      : imports === undefined
        ? html`<p aria-live="polite">${t("loading")}</p>`
        : html`<p role="status">${t("imports.count", { count: imports.totalCount })}</p>
            ${imports.edges.length
              ? html`<table class="imports" aria-labelledby="imports-title">
                  <thead>
                    <tr>
                      <th scope="col">${t("imports.finished")}</th>
                      <th scope="col">${t("imports.source")}</th>
                      <th scope="col">${t("imports.read")}</th>
                      <th scope="col">${t("imports.imported")}</th>
                      <th scope="col">${t("imports.refused")}</th>
                      <th scope="col">${t("imports.ended")}</th>
                      <th scope="col">${t("imports.review")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${imports.edges.map(
                      ({ node }) => html`<tr data-report=${node.reportId}>
                        <td><${InstantText} iso=${node.finishedAt} language=${language} /></td>
                        <td>
                          <a href=${importLink(node.reportId)}><code>${node.source}</code></a>
                          <br /><small>${node.fileName}</small>
                        </td>
                        <td class="number">${node.rowsRead}</td>
                        <td>${importedText(t, node)}</td>
                        <td class="number">${node.refusedCount}</td>
                        <td class="number">${node.sanctionsEnded}</td>
                        <td class="number">${node.reviewCount}</td>
                      </tr>`,
                    )}
                  </tbody>
                </table>`
              : html`<p class="empty">${t("imports.none")}</p>`}
            <${Pager} t=${t} route="imports" filters=${filters} pageInfo=${imports.pageInfo} />`}`;
}
