// The system owner's migration plans: the plans of its agencies (the API scopes them: a
// system owner gets only its own), and a plan's page: a bar already recorded to come for its
// vendor (planbars.js), the solver's report, the Gantt chart,
// each item's blockers, checklist, milestones and replacement, and every version of the
// schedule with its causes and what changed. The page follows `migrationProgress` live and
// reads the plan again on each step (and after each reconnection: the API replays nothing).
// Every role that may read plans sees them; the forms of a mutation its role may not use are
// disabled, with why (readonly.js). The plan's CSV and Gantt SVG download with the token.
// The list's status filter is the address's (`#/migration?status=OPEN`, address.js), so Back
// from a plan, a reload or a bookmark finds the list as it was narrowed.
import { useEffect, useState } from "preact/hooks";
import { filtersLink } from "./address.js";
import { ApiRefusal } from "./api.js";
import { DownloadButton } from "./downloads.js";
import { Gantt } from "./gantt.js";
import { html } from "./html.js";
import { DateText, InstantText } from "./i18n.js";
import { useLiveStatus, useReloadOnConnect, useSubscription } from "./live.js";
import { MigrationItem } from "./migrationitem.js";
import { OpenPlanForm } from "./migrationopen.js";
import { PlanSettingsForm } from "./migrationsettings.js";
import { WithdrawPlanForm } from "./migrationwithdraw.js";
import { BarredHereFrom, BarredLater, BARS_TO_COME } from "./planbars.js";
import { useLatestOnly, useRead } from "./reads.js";
import { vendorLink } from "./search.js";
import { Refusal } from "./signin.js";

const PLANS = `query ConsoleMigrationPlans($after: String, $status: MigrationPlanStatus) {
  migrationPlans(first: 100, after: $after, status: $status) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { planId vendorId agency trigger reason createdOn vendorEligible upToDate status
      vendorBarsToCome { startsOn } items { contractId status } solver { version status } } }
  }
}`;
const VERSION =
  "version status gap objective bestBound wallSeconds conflicts whyNoSchedule changes causes createdAt";
const PLAN = `query ConsoleMigrationPlan($planId: ID!) {
  migrationPlan(planId: $planId) {
    planId vendorId agency trigger reason createdOn vendorEligible vendorBarredLater upToDate
    ${BARS_TO_COME}
    csvUrl ganttUrl
    status withdrawnAt withdrawalReason
    settings { startsOn phaseMonths capacity capacityOverrides { phaseStart capacity } earlyCutover earlyPenalty deadlineOn blackouts { startsOn endsOn reason } }
    solver { ${VERSION} }
    phases { index label startsOn endsOn }
    items {
      contractId title criticality endsOn viaSubcontractId dependsOn leadTimeMonths earliestOn
      deadlineOn replacementVendorId replacementChosenOn replacementProblem
      checklist { check passed } blockers status statusOn statusNote phase phaseLabel
      naturalPhaseLabel reasons
    }
    versions(first: 100) { totalCount edges { node { ${VERSION} } } }
  }
  today
}`;
const PROGRESS = `subscription ConsoleMigrationProgress($planId: ID!) {
  migrationProgress(planId: $planId) { eventId eventType contractId version solverStatus changes }
}`;
// The plan statuses the list can be narrowed to ("": every status, as the API gives by default).
const STATUSES = ["", "OPEN", "COMPLETED", "WITHDRAWN"];
// How many live steps the page lists (the newest first).
const SHOWN_STEPS = 20;

export function planLink(planId) {
  return `#/migration-plan/${encodeURIComponent(planId)}`;
}

export function MigrationScreen({ session, filters }) {
  const { t, api, language, agencies, may } = session;
  const [state, setState] = useState({ plans: null, refused: null });
  const status = filters.status ?? "";
  // Only the latest read is shown: Back and Forward in quick succession cross their reads.
  const begin = useLatestOnly();
  // Every page of plans (a hundred at a time): an owner's agencies rarely hold many.
  const plansNow = async () => {
    const plans = [];
    let after = null;
    for (;;) {
      const page = (await api(PLANS, { after, status: status || null })).migrationPlans;
      plans.push(...page.edges.map((edge) => edge.node));
      if (!page.pageInfo.hasNextPage) return plans;
      after = page.pageInfo.endCursor;
    }
  };
  const load = () => {
    const isLatest = begin();
    return plansNow()
      .then((plans) => {
        if (isLatest()) setState({ plans, refused: null });
      })
      .catch((error) => {
        if (!(error instanceof ApiRefusal)) throw error;
        if (isLatest()) setState({ plans: null, refused: error.messages });
      });
  };
  useEffect(() => {
    load();
  }, [status]);
  const { plans, refused } = state;
  return html`<h2>${t("migration.title")}</h2>
    ${agencies.length ? html`<p>${t("migration.ofAgencies", { agencies: agencies.join(", ") })}</p>` : null}
    <${Refusal} t=${t} messages=${refused} />
    ${may(["createMigrationPlan"]) ? html`<${OpenPlanForm} session=${session} opened=${load} planLink=${planLink} />` : null}
    <label class="plan-status-filter">
      ${t("migration.statusFilter")}${" "}
      <select name="status" value=${status} onChange=${(event) => (location.hash = filtersLink("migration", { status: event.target.value }))}>
        ${STATUSES.map((value) => html`<option value=${value}>${value ? t(`migration.planStatus.${value}`) : t("migration.everyStatus")}</option>`)}
      </select>
    </label>
    ${plans === null && !refused ? html`<p aria-live="polite">${t("loading")}</p>` : null}
    ${plans && plans.length === 0 ? html`<p class="empty">${t(status ? "migration.noPlansOfStatus" : "migration.noPlans")}</p>` : null}
    ${plans && plans.length
      ? html`<table class="plans">
          <caption>${t("migration.plans", { count: plans.length })}</caption>
          <thead>
            <tr>
              <th scope="col">${t("migration.plan")}</th>
              <th scope="col">${t("migration.vendor")}</th>
              <th scope="col">${t("contract.agency")}</th>
              <th scope="col">${t("migration.planStatus")}</th>
              <th scope="col">${t("migration.trigger")}</th>
              <th scope="col">${t("migration.createdOn")}</th>
              <th scope="col">${t("migration.items")}</th>
              <th scope="col">${t("migration.solverStatus")}</th>
            </tr>
          </thead>
          <tbody>
            ${plans.map(
              (plan) => html`<tr data-plan=${plan.planId}>
                <td><a href=${planLink(plan.planId)}>${plan.planId}</a></td>
                <td><a href=${vendorLink(plan.vendorId)}>${plan.vendorId}</a></td>
                <td class="name">${plan.agency}</td>
                <td data-status=${plan.status}>${t(`migration.planStatus.${plan.status}`)}</td>
                <td>
                  ${t(`migration.trigger.${plan.trigger}`)}<div class="why name">${plan.reason}</div>
                  <${BarredHereFrom} t=${t} language=${language} plan=${plan} />
                </td>
                <td><${DateText} iso=${plan.createdOn} language=${language} /></td>
                <td class="number">
                  ${t("migration.doneOf", {
                    done: plan.items.filter((item) => item.status === "DONE").length,
                    count: plan.items.length,
                  })}
                </td>
                <td>${plan.solver ? t(`migration.solver.${plan.solver.status}`) : t("migration.unscheduled")}</td>
              </tr>`,
            )}
          </tbody>
        </table>`
      : null}`;
}

// "2 cut-overs a phase; phases with a capacity of their own: 2027-01-01: 0, 2027-02-01: 3",
// the phases by their first day: a capacity's own
// plural ("1 cut-overs a phase" read wrong), and the phases that set their own.
function capacityText(t, settings) {
  const capacity = t("migration.capacityText", { count: settings.capacity });
  const overrides = settings.capacityOverrides ?? [];
  if (!overrides.length) return capacity;
  const listed = overrides.map((o) => `${o.phaseStart}: ${o.capacity}`).join(", ");
  return t("migration.capacityOverrides", { capacity, overrides: listed });
}

function SolverReport({ t, plan }) {
  const solver = plan.solver;
  return html`<dl class="facts solver">
    <dt>${t("migration.solverStatus")}</dt>
    <dd data-solver=${solver?.status ?? ""}>
      ${solver ? t(`migration.solver.${solver.status}`) : t("migration.unscheduled")}
      ${solver && solver.gap ? ` (${t("migration.gap")} ${solver.gap})` : null}
      ${plan.upToDate ? null : html` <span class="why">${t("migration.replanning")}</span>`}
    </dd>
    <dt>${t("migration.settings")}</dt>
    <dd>
      ${t("migration.settingsText", {
        startsOn: plan.settings.startsOn,
        months: plan.settings.phaseMonths,
        count: plan.settings.phaseMonths,
        capacity: capacityText(t, plan.settings),
        early: t(`migration.early.${plan.settings.earlyCutover}`),
      })}
    </dd>
    ${solver && solver.conflicts.length
      ? html`<dt>${t("migration.conflicts")}</dt>
          <dd><ul>${solver.conflicts.map((conflict) => html`<li>${conflict}</li>`)}</ul></dd>`
      : null}
  </dl>`;
}

function Versions({ t, language, versions }) {
  return html`<section aria-labelledby="versions-title">
    <h3 id="versions-title">${t("migration.versions", { count: versions.totalCount })}</h3>
    <ol class="versions">
      ${versions.edges.map(
        ({ node }) => html`<li data-version=${node.version}>
          <div class="event-head">
            <strong>${t("migration.version", { version: node.version })}</strong>
            ${" · "}${t(`migration.solver.${node.status}`)}${" · "}
            <${InstantText} iso=${node.createdAt} language=${language} />
          </div>
          <div>${t("migration.causes")}: ${node.causes.length ? node.causes.join(", ") : "—"}</div>
          ${node.changes.length
            ? html`<ul class="changes">${node.changes.map((change) => html`<li>${change}</li>`)}</ul>`
            : html`<p class="empty">${t("migration.noChanges")}</p>`}
        </li>`,
      )}
    </ol>
  </section>`;
}

function LiveSteps({ t, status, steps }) {
  return html`<section aria-labelledby="live-title" class="live">
    <h3 id="live-title">${t("migration.live")} <span class=${`live-${status}`}>${t(`migration.liveStatus.${status}`)}</span></h3>
    <ul aria-live="polite">
      ${steps.map(
        (step) => html`<li data-event-type=${step.eventType}>
          <code>${step.eventType}</code>${step.contractId ? ` ${step.contractId}` : null}
          ${step.version ? ` · ${t("migration.version", { version: step.version })}` : null}
          ${step.changes.length ? html`<ul>${step.changes.map((change) => html`<li>${change}</li>`)}</ul>` : null}
        </li>`,
      )}
    </ul>
  </section>`;
}

export function MigrationPlanScreen({ session, argument }) {
  const { t, api, language, live, may } = session;
  const read = useRead(argument || null, () => api(PLAN, { planId: argument }));
  const load = read.reload;
  const [steps, setSteps] = useState([]);
  const status = useLiveStatus(live);
  useEffect(() => setSteps([]), [argument]);
  useReloadOnConnect(live, load);
  useSubscription(
    live,
    PROGRESS,
    { planId: argument },
    argument,
    ({ migrationProgress }) => {
      setSteps((shown) => [migrationProgress, ...shown].slice(0, SHOWN_STEPS));
      load();
    },
    read.refuse,
  );
  const refused = read.refused;
  if (!argument) return html`<p role="alert">${t("migration.noneNamed")}</p>`;
  if (read.value === undefined) {
    return refused
      ? html`<${Refusal} t=${t} messages=${refused} />`
      : html`<p aria-live="polite">${t("loading")}</p>`;
  }
  const { migrationPlan: plan, today } = read.value;
  if (plan === null) return html`<p role="alert">${t("migration.unknown", { id: argument })}</p>`;
  return html`<h2>${t("migration.planTitle", { id: plan.planId })} <small>${plan.agency}</small></h2>
    <${Refusal} t=${t} messages=${refused} />
    <p>
      ${t("migration.awayFrom")} <a href=${vendorLink(plan.vendorId)}>${plan.vendorId}</a>
      ${" · "}${t("migration.because", { trigger: t(`migration.trigger.${plan.trigger}`), reason: plan.reason })}
      ${" · "}${t("migration.createdOn")} <${DateText} iso=${plan.createdOn} language=${language} />
      ${plan.vendorEligible && plan.vendorBarredLater === null ? html`${" · "}<strong>${t("migration.vendorEligibleAgain")}</strong>` : null}
    </p>
    <${BarredLater} t=${t} language=${language} plan=${plan} />
    <p class="plan-status" data-status=${plan.status}>
      ${t("migration.planStatus")}: <strong>${t(`migration.planStatus.${plan.status}`)}</strong>
      ${plan.withdrawnAt
        ? html`${" · "}${t("migration.withdrawnAt")} <${InstantText} iso=${plan.withdrawnAt} language=${language} />${" · "}${t("migration.because", { reason: plan.withdrawalReason })}`
        : null}
    </p>
    <${SolverReport} t=${t} plan=${plan} />
    ${plan.status === "WITHDRAWN"
      ? null
      : html`<details class="plan-settings">
            <summary>${t("migrationForm.planSummary")}</summary>
            <${PlanSettingsForm} session=${session} plan=${plan} changed=${load} />
          </details>
          ${may(["withdrawMigrationPlan"]) ? html`<${WithdrawPlanForm} session=${session} plan=${plan} withdrawn=${load} />` : null}`}
    <${Gantt} t=${t} plan=${plan} today=${today} />
    <div class="downloads">
      <${DownloadButton} session=${session} kind="csv" path=${plan.csvUrl} label=${t("migrationForm.downloadCsv")} />
      <${DownloadButton} session=${session} kind="svg" path=${plan.ganttUrl} label=${t("migrationForm.downloadSvg")} />
    </div>
    <section aria-labelledby="items-title">
      <h3 id="items-title">${t("migration.itemsTitle", { count: plan.items.length })}</h3>
      ${plan.items.map(
        (item) => html`<${MigrationItem} key=${item.contractId} session=${session} plan=${plan} item=${item} changed=${load} />`,
      )}
    </section>
    <${LiveSteps} t=${t} status=${status} steps=${steps} />
    <${Versions} t=${t} language=${language} versions=${plan.versions} />`;
}
