// Vendors: the search (ranked, with the name that matched) and a vendor's page: its sanctions
// on a calendar bar (with the bars through affiliates' sanctions, and whether it may bid
// today, for the roles that may ask `bidEligibility`), and its record (vendorrecord.js: names,
// identifiers, affiliates, contracts, everything recorded for auditors and admins); a link to
// its risk (riskvendor.js).
import { useAddressedField } from "./address.js";
import { BarPeriod } from "./barperiod.js";
import { completeAuditLink } from "./completeaudit.js";
import { deadLettersLink, refusalReasons } from "./deadletters.js";
import { html } from "./html.js";
import { DateText } from "./i18n.js";
import { incidentsLink } from "./incidents.js";
import { Candidates, FIND_VENDOR, searchLink, vendorLink } from "./search.js";
import { useRead } from "./reads.js";
import { riskLink } from "./risk.js";
import { Refusal } from "./signin.js";
import { SanctionCalendar, day, iso } from "./calendar.js";
import { Affiliates, Contracts, FirstShown, Names, Timeline } from "./vendorrecord.js";

const VENDOR = `query ConsoleVendor($vendorId: ID!) {
  vendor(vendorId: $vendorId) {
    vendorId legalName nameKana nameEn country aliases
    formerNames { name usedUntil }
    identifiers { scheme value }
    affiliates { vendorId periods { firstDay until } }
    sanctions(first: 100) {
      totalCount
      edges { node { sanctionId kind authority decidedOn startsOn endsOn liftedOn agencies categories barredPeriods { startsOn endsOn } } }
    }
    contracts(first: 100) {
      totalCount
      edges { node { contractId agency title criticality startsOn endsOn amount currency terminatedOn } }
    }
  }
  today
}`;
// Whether it may bid today, and every bar through an affiliate's sanction (covering
// affiliates, while they are affiliated), as `bidEligibility` judges them at any agency and
// category: today's answer, and every bar after the day before its first affiliation began
// (`upcoming` then: each bar from its own first day to its own last, a bar after a gap apart).
// Today's reasons say their bar's own first day (`barsFrom`), and whether it resumed after a gap.
const BAR = "sanctionId kind authority startsOn barsFrom resumed endsOn viaVendorId agencies categories";
const BARS = `query ConsoleVendorBars($vendorId: ID!, $today: Date!, $before: Date!) {
  now: bidEligibility(vendor: {vendorId: $vendorId}, asOf: $today) {
    asOf eligible eligibleAgainOn reasons { ${BAR} }
  }
  since: bidEligibility(vendor: {vendorId: $vendorId}, asOf: $before) { upcoming { ${BAR} } }
}`;
// The event log allows pages of 500; a longer record shows its first 500 and says so.
const TIMELINE = `query ConsoleVendorTimeline($vendorId: ID!) {
  events(vendorId: $vendorId, first: 500) {
    totalCount
    edges { node { eventId eventType occurredAt recordedAt source recordedBy { subject role } refusedBy payload } }
  }
}`;

// The search is in the address (`#/vendors/<what was searched>`, search.js's `searchLink`),
// read again whenever it changes: Back from a hit finds the query and its hits, and a search
// can be bookmarked or passed on. Held in the screen's state only, both were gone on Back.
export function VendorSearchScreen({ session, argument }) {
  const { t, api } = session;
  const read = useRead(argument || null, async () => (await api(FIND_VENDOR, { search: argument })).vendors);
  const [search, setSearch, submit] = useAddressedField(argument, searchLink, read);
  return html`<h2>${t("vendors.title")}</h2>
    <form class="inline" onSubmit=${submit}>
      <label for="vendor-search">${t("vendors.search")}</label>
      <input id="vendor-search" required value=${search} onInput=${(e) => setSearch(e.target.value)} />
      <button type="submit">${t("vendors.find")}</button>
    </form>
    <${Refusal} t=${t} messages=${read.refused} />
    ${!argument || read.refused
      ? null
      : read.value === undefined
        ? html`<p aria-live="polite">${t("loading")}</p>`
        : html`<${Candidates} t=${t} hits=${read.value} caption=${t("search.ranked")} />`}`;
}

// "through vx's sanction s-vx-1", the affiliate linked to its page.
function Through({ t, bar }) {
  const [before, after] = t("vendor.through", { sanction: bar.sanctionId, vendor: "\u0000" }).split("\u0000");
  return html`${before}<a href=${vendorLink(bar.viaVendorId)}>${bar.viaVendorId}</a>${after}`;
}

function Scope({ t, bar }) {
  return [...(bar.agencies ?? [t("sanction.allAgencies")]), ...(bar.categories ?? [])].join(", ");
}

// A bar's days: from its own first day (not its sanction's, which may be before the
// affiliation, or before a gap in the sanction: then "resumed") to its last.
function BarDays({ t, language, first, last, resumed }) {
  return html`<${DateText} iso=${first} language=${language} />${" – "}${last
      ? html`<${DateText} iso=${last} language=${language} />`
      : t("sanction.openEnded")}${resumed
      ? html`${" · "}<span class="resumed">${t("screening.resumed")}</span>`
      : null}`;
}

// Where today's bars apply, as the eligible answer says it ("at every agency, in every
// category"): a vendor barred at one agency in one category may bid everywhere else, and
// "barred from bidding" alone said it may not bid at all. Each reason's scope once; a
// reason that applies everywhere says all.
function barredScope(t, reasons) {
  const scope = (reason) =>
    t("vendor.barredScope", {
      agencies: reason.agencies?.join(", ") ?? t("sanction.allAgencies"),
      categories: reason.categories?.join(", ") ?? t("sanction.allCategories"),
    });
  const everywhere = reasons.some((reason) => !reason.agencies && !reason.categories);
  return everywhere ? scope({}) : [...new Set(reasons.map(scope))].join(t("vendor.scopeSeparator"));
}

// Whether it may bid today (at any agency, in any category), and every reason if not: its
// own sanctions, and those of its affiliates through which it is barred.
function EligibilityToday({ t, language, bars }) {
  const { now } = bars;
  return html`<div class="eligibility-today" data-eligible=${now.eligible}>
    <p>
      ${t("vendor.today")} <${DateText} iso=${now.asOf} language=${language} />${": "}
      ${now.eligible
        ? t("vendor.eligibleToday")
        : html`<span class="barred-today"
            >${t("vendor.barredToday", { scope: barredScope(t, now.reasons) })}</span
          >`}
      ${now.eligibleAgainOn
        ? html`${" · "}${t("screening.eligibleAgainOn")} <${DateText} iso=${now.eligibleAgainOn} language=${language} />`
        : null}
    </p>
    ${now.reasons.length
      ? html`<ul class="reasons">
          ${now.reasons.map(
            (reason) => html`<li data-reason=${reason.sanctionId} data-through=${reason.viaVendorId ?? ""}>
              ${reason.viaVendorId
                ? html`<${Through} t=${t} bar=${reason} />`
                : t("vendor.own", { sanction: reason.sanctionId })}${" · "}${t(`sanctionKind.${reason.kind}`)}${" · "}
              <${BarPeriod} t=${t} language=${language} reason=${reason} />
              ${" · "}<${Scope} t=${t} bar=${reason} />
            </li>`,
          )}
        </ul>`
      : null}
  </div>`;
}

// Every bar through an affiliate's sanction, past, present and to come.
function ThroughAffiliates({ t, language, through }) {
  if (!through.length) return null;
  return html`<h4 id="through-title">${t("vendor.throughTitle")}</h4>
    <ul class="through" aria-labelledby="through-title">
      ${through.map(
        (bar) => html`<li data-through=${bar.viaVendorId} data-sanction-through=${bar.sanctionId}>
          <${Through} t=${t} bar=${bar} />${" · "}${t(`sanctionKind.${bar.kind}`)}${" · "}${bar.authority}${" · "}
          <${BarDays} t=${t} language=${language} first=${bar.startsOn} last=${bar.endsOn} resumed=${bar.resumed} />
          ${" · "}<${Scope} t=${t} bar=${bar} />
        </li>`,
      )}
    </ul>`;
}

function Sanctions({ t, language, sanctions, today, bars, affiliated }) {
  const through = bars?.through ?? [];
  return html`<section aria-labelledby="sanctions-title">
    <h3 id="sanctions-title">${t("vendor.sanctions", { count: sanctions.totalCount })}</h3>
    ${bars ? html`<${EligibilityToday} t=${t} language=${language} bars=${bars} />` : null}
    ${!bars && affiliated ? html`<p class="note">${t("vendor.throughNotShown")}</p>` : null}
    <${FirstShown} t=${t} page=${sanctions} />
    ${sanctions.edges.length || through.length
      ? html`<${SanctionCalendar}
          t=${t}
          language=${language}
          sanctions=${sanctions.edges.map((e) => e.node)}
          through=${through}
          today=${today}
        />`
      : null}
    ${sanctions.edges.length
      ? html`<table class="sanctions" aria-labelledby="sanctions-title">
            <thead>
              <tr>
                <th scope="col">${t("sanction.id")}</th>
                <th scope="col">${t("sanction.kind")}</th>
                <th scope="col">${t("sanction.authority")}</th>
                <th scope="col">${t("sanction.decidedOn")}</th>
                <th scope="col">${t("sanction.startsOn")}</th>
                <th scope="col">${t("sanction.endsOn")}</th>
                <th scope="col">${t("sanction.liftedOn")}</th>
                <th scope="col">${t("sanction.scope")}</th>
              </tr>
            </thead>
            <tbody>
              ${sanctions.edges.map(
                ({ node }) => html`<tr data-sanction=${node.sanctionId}>
                  <td>${node.sanctionId}</td>
                  <td>${t(`sanctionKind.${node.kind}`)}</td>
                  <td class="name">${node.authority}</td>
                  <td><${DateText} iso=${node.decidedOn} language=${language} /></td>
                  <td><${DateText} iso=${node.startsOn} language=${language} /></td>
                  <td>
                    ${node.endsOn
                      ? html`<${DateText} iso=${node.endsOn} language=${language} />`
                      : t("sanction.openEnded")}
                  </td>
                  <td><${DateText} iso=${node.liftedOn} language=${language} /></td>
                  <td>
                    ${[...(node.agencies ?? [t("sanction.allAgencies")]), ...(node.categories ?? [])].join(", ")}
                  </td>
                </tr>`,
              )}
            </tbody>
          </table>`
      : html`<p class="empty">${t(through.length ? "vendor.noOwnSanctions" : "vendor.noSanctions")}</p>`}
    <${ThroughAffiliates} t=${t} language=${language} through=${through} />
  </section>`;
}

// Today's answer and the bars through affiliates (none without an affiliate: then only
// today's answer is asked, from the day before today).
async function barsOf(api, vendor, today) {
  const firsts = vendor.affiliates.flatMap((affiliate) => affiliate.periods.map((period) => day(period.firstDay)));
  const before = iso((firsts.length ? Math.min(...firsts) : day(today)) - 1);
  const { now, since } = await api(BARS, { vendorId: vendor.vendorId, today, before });
  return { now, through: since.upcoming.filter((bar) => bar.viaVendorId) };
}

export function VendorScreen({ session, argument }) {
  const { t, language, api, may } = session;
  const read = useRead(argument || null, async () => {
    const { vendor, today } = await api(VENDOR, { vendorId: argument });
    const events = vendor && may(["events"]) ? (await api(TIMELINE, { vendorId: argument })).events : null;
    const refused = (events?.edges ?? []).filter(({ node }) => node.refusedBy.length).map(({ node }) => node.eventId);
    const reasons = await refusalReasons(api, refused);
    const bars = vendor && may(["bidEligibility"]) ? await barsOf(api, vendor, today) : null;
    return { vendor, today, events, reasons, bars };
  });
  if (!argument) return html`<p role="alert">${t("vendor.noneNamed")}</p>`;
  if (read.refused) return html`<${Refusal} t=${t} messages=${read.refused} />`;
  if (read.value === undefined) return html`<p aria-live="polite">${t("loading")}</p>`;
  const { vendor, today, events, reasons, bars } = read.value;
  if (vendor === null) return html`<p role="alert">${t("vendor.unknown", { id: argument })}</p>`;
  return html`<h2>${vendor.legalName} <small class="id">${vendor.vendorId}</small></h2>
    ${may(["riskScore", "riskHistory"])
      ? html`<p><a href=${riskLink(vendor.vendorId)}>${t("vendor.risk")}</a></p>`
      : null}
    ${may(["deadLetters"])
      ? html`<p><a href=${deadLettersLink(vendor.vendorId)}>${t("vendor.deadLetters")}</a></p>`
      : null}
    <p><a href=${incidentsLink(vendor.vendorId)}>${t("vendor.incidents")}</a></p>
    ${may(["completeAudit"])
      ? html`<p><a href=${completeAuditLink(vendor.vendorId)}>${t("vendor.completeAudit")}</a></p>`
      : null}
    <${Names} t=${t} language=${language} vendor=${vendor} />
    <${Affiliates} t=${t} language=${language} affiliates=${vendor.affiliates} />
    <${Sanctions}
      t=${t}
      language=${language}
      sanctions=${vendor.sanctions}
      today=${today}
      bars=${bars}
      affiliated=${vendor.affiliates.length > 0}
    />
    <${Contracts} t=${t} language=${language} contracts=${vendor.contracts} />
    ${events ? html`<${Timeline} t=${t} language=${language} events=${events} reasons=${reasons} />` : null}`;
}
