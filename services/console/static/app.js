// The console's shell: sign-in, the header (who is signed in, language, sign-out), the
// navigation of the screens the user's role may use, and hash routing between them.
import { render } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { filtersOf } from "./address.js";
import { AlertsScreen } from "./alerts.js";
import { accessRules, ApiRefusal, graphql, mayUse } from "./api.js";
import { AuditTrailScreen } from "./audittrail.js";
import { CompleteAuditScreen } from "./completeaudit.js";
import { VendorDeadLettersScreen } from "./deadletters.js";
import { fetchFile } from "./downloads.js";
import { EventStatusScreen } from "./eventstatus.js";
import { html } from "./html.js";
import { keepLanguage, LANGUAGES, storedLanguage, translator } from "./i18n.js";
import { IncidentsScreen } from "./incidents.js";
import { ImportReportScreen } from "./importreport.js";
import { ImportsScreen } from "./imports.js";
import { forgetKept } from "./kept.js";
import { liveConnection } from "./live.js";
import { RiskBoardScreen } from "./risk.js";
import { RiskVendorScreen } from "./riskvendor.js";
import { MigrationPlanScreen, MigrationScreen } from "./migration.js";
import { SanctionsScreen } from "./sanctions.js";
import { ScreeningScreen } from "./screening.js";
import { LINK_PREFIX, claims, forgetToken, keepToken, storedToken, takeLinkToken, useTokenEnd } from "./session.js";
import { SignIn } from "./signin.js";
import { VendorScreen, VendorSearchScreen } from "./vendors.js";
import { WatchlistsScreen } from "./watchlists.js";

// Every screen: its route, its label, the API's root fields it needs (a role that may not
// use them does not see it).
const SCREENS = [
  { route: "screening", label: "nav.screening", needs: ["screenBidders"], view: ScreeningScreen },
  { route: "vendors", label: "nav.vendors", needs: ["vendors"], view: VendorSearchScreen },
  { route: "risk", label: "nav.risk", needs: ["riskiestVendors"], view: RiskBoardScreen },
  // A vendor's incidents (`#/incidents/<vendor id>`), readable by every role that may read a
  // vendor; its forms are disabled, with why, for a role the API would refuse.
  { route: "incidents", label: "nav.incidents", needs: ["vendor"], view: IncidentsScreen },
  // Shown to every role that may read plans; the forms a role may not send are disabled there.
  { route: "migration", label: "nav.migration", needs: ["migrationPlans"], view: MigrationScreen },
  // A screen of those who act: shown to a role only if the API lets it record there too.
  { route: "sanctions", label: "nav.sanctions", needs: ["proposeSuspension", "imposeSanction"], view: SanctionsScreen },
  // An agency's alerts and watchlists: read by every role that may check eligibility; the
  // acknowledgement and the save are disabled, with why, for those that may not record them.
  { route: "alerts", label: "nav.alerts", needs: ["alerts"], view: AlertsScreen },
  { route: "watchlists", label: "nav.watchlists", needs: ["watchlists"], view: WatchlistsScreen },
  // The auditor's: who recorded what through the API; what became of an event (every role may
  // ask, as producers do); the imports' reports (their readers: sanction authorities too).
  { route: "audit", label: "nav.audit", needs: ["auditTrail"], view: AuditTrailScreen },
  { route: "event-status", label: "nav.eventStatus", needs: ["eventStatus"], view: EventStatusScreen },
  { route: "imports", label: "nav.imports", needs: ["imports"], view: ImportsScreen },
];
// Pages reached from a screen, not listed in the navigation.
const PAGES = [
  { route: "vendor", label: "page.vendor", needs: ["vendor"], view: VendorScreen },
  { route: "risk-vendor", label: "page.riskVendor", needs: ["vendor", "riskHistory"], view: RiskVendorScreen },
  { route: "migration-plan", label: "page.migrationPlan", needs: ["migrationPlan"], view: MigrationPlanScreen },
  { route: "dead-letters", label: "page.deadLetters", needs: ["deadLetters"], view: VendorDeadLettersScreen },
  { route: "import", label: "page.importReport", needs: ["importReport"], view: ImportReportScreen },
  // A page that only records: shown to the roles that may record an audit.
  { route: "complete-audit", label: "page.completeAudit", needs: ["completeAudit"], view: CompleteAuditScreen },
];

// The screen's route, its argument (what it names: `#/vendor/<id>`) and the filters of a list
// (address.js: `#/migration?status=OPEN`).
function currentRoute() {
  // A sign-in link names no screen.
  if (location.hash.startsWith(LINK_PREFIX)) return { route: "", argument: "", filters: {} };
  const [path, query = ""] = splitOnce(location.hash.replace(/^#\/?/, ""), "?");
  const [route, ...rest] = path.split("/");
  return { route, argument: rest.map(decoded).join("/"), filters: filtersOf(query) };
}

// The text before the first `separator` and the rest (a filter's value may hold another).
function splitOnce(text, separator) {
  const at = text.indexOf(separator);
  return at < 0 ? [text] : [text.slice(0, at), text.slice(at + 1)];
}

// A part of the address as it was meant; as written when it is no valid escape (a link cut
// short): then the screen says no such vendor, rather than the navigation stopping dead.
function decoded(part) {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function useRoute() {
  const [route, setRoute] = useState(currentRoute());
  useEffect(() => {
    const changed = () => setRoute(currentRoute());
    addEventListener("hashchange", changed);
    return () => removeEventListener("hashchange", changed);
  }, []);
  return route;
}

// The window's title names the screen shown (its `label`), in the user's language: a screen
// reader says it when the screen changes, and a tab or a history entry tells one screen from
// another. None while the component that knows the screen is not drawn (`active`): the
// signed-in console's screens are named by it, not by the App around it.
function usePageTitle(t, label, active = true) {
  const title = label ? t("app.pageTitle", { screen: t(label) }) : t("app.title");
  useEffect(() => {
    if (active) document.title = title;
  }, [title, active]);
}

function LanguageSwitch({ language, setLanguage, t }) {
  return html`<div class="languages" role="group" aria-label=${t("language.label")}>
    ${LANGUAGES.map(
      (code) =>
        html`<button
          type="button"
          lang=${code}
          aria-pressed=${code === language}
          onClick=${() => setLanguage(code)}
        >
          ${t(`language.${code}`)}
        </button>`,
    )}
  </div>`;
}

function Console({ token, rules, language, t, signOut }) {
  const who = claims(token) || {};
  const route = useRoute();
  const screens = SCREENS.filter((screen) => mayUse(rules, who.role, screen.needs));
  // The screen the address names; none named (or one the console has not), the first the
  // role may use. One the role may not use is said so: showing the first in its place, under
  // the address of the other, read as that screen.
  const open = [...SCREENS, ...PAGES].find((screen) => screen.route === route.route);
  const refused = open && !mayUse(rules, who.role, open.needs) ? open : null;
  // An address naming no screen of the console (`#/nonsense`) says so: the first screen shown
  // under it read as the screen named, and kept the bogus address.
  const unknown = route.route && !open ? route.route : null;
  const shown = refused || unknown ? null : (open ?? screens[0]);
  usePageTitle(t, (refused ?? shown)?.label);
  // A token refused mid-session (it expired) ends the session with the API's reason, whether
  // a query or a download met the refusal.
  const withToken =
    (call) =>
    async (...args) => {
      try {
        return await call(token, ...args);
      } catch (error) {
        if (error instanceof ApiRefusal && error.status === 401) signOut(error.messages);
        throw error;
      }
    };
  const api = withToken(graphql);
  const may = (fields) => mayUse(rules, who.role, fields);
  // One WebSocket for the session's subscriptions, closed when the session ends.
  const live = useMemo(() => liveConnection(token, signOut), [token]);
  useTokenEnd(token, () => api("query ConsoleSessionCheck { __typename }"));
  useEffect(() => () => live.dispose(), [live]);
  const session = {
    api,
    download: withToken(fetchFile),
    language,
    t,
    may,
    role: who.role,
    live,
    // The agencies the API keeps this caller to (platform/security/access.agencies_in_view): a
    // system owner's own; an officer's token may name agencies too, yet it sees every agency's
    // records, and a screen saying "your agencies: 市民課" above 税務課's alerts was untrue.
    agencies: who.role === "system_owner" ? (who.agencies ?? []) : [],
  };
  return html`
    <nav aria-label=${t("nav.label")}>
      <ul>
        ${screens.map(
          (screen) =>
            html`<li>
              <a href=${`#/${screen.route}`} aria-current=${screen === shown ? "page" : null}
                >${t(screen.label)}</a
              >
            </li>`,
        )}
      </ul>
      <p class="who">
        <span>${t("signin.as", { subject: who.sub ?? "?", role: t(`role.${who.role}`) })}</span>
        ${who.agencies && who.agencies.length
          ? html` <span>${t("signin.agencies", { agencies: who.agencies.join(", ") })}</span>`
          : null}
        <button type="button" onClick=${() => signOut(null)}>${t("signin.out")}</button>
      </p>
    </nav>
    <main id="main">
      ${unknown
        ? html`<p class="no-such-screen" role="alert">
            ${t("nav.noSuchScreen", { address: `#/${unknown}` })} <a href="#/">${t("nav.toStart")}</a>
          </p>`
        : null}
      ${refused
        ? html`<p class="not-for-role" role="alert">
            ${t("nav.notForRole", { screen: t(refused.label), role: t(`role.${who.role}`) })}
          </p>`
        : shown
          ? html`<${shown.view} session=${session} argument=${route.argument} filters=${route.filters} />`
          : unknown
            ? null
            : html`<p>${t("nav.nothing")}</p>`}
    </main>
  `;
}

function App() {
  const [language, setLanguageState] = useState(storedLanguage());
  const [token, setToken] = useState(storedToken());
  const [rules, setRules] = useState(null);
  // Why the user was signed out (the API's refusal of the token: `ended`), or why the sign-in
  // link's token was refused, shown on the sign-in form.
  const [notice, setNotice] = useState(null);
  const t = translator(language);
  usePageTitle(t, "signin.title", !(token && rules));
  const setLanguage = (code) => {
    keepLanguage(code);
    setLanguageState(code);
  };
  useEffect(() => {
    keepLanguage(language);
    accessRules().then(setRules);
  }, []);
  const signIn = async (candidate) => {
    // The API judges the token; its refusal (expired, bad signature…) is shown as it says it.
    try {
      await graphql(candidate, "query ConsoleSignIn { __typename }");
    } catch (error) {
      if (error instanceof ApiRefusal) return error.messages;
      throw error;
    }
    // What the last user of the tab kept (a screening) is not the new user's.
    forgetKept();
    keepToken(candidate);
    setNotice(null);
    setToken(candidate);
    return null;
  };
  const signOut = (messages) => {
    forgetToken();
    forgetKept();
    setNotice(messages && { messages, ended: true });
    setToken(null);
  };
  useEffect(() => {
    // On load, and when the link is opened in a tab where the console is open already: then
    // only the address's fragment changes, and no page loads.
    const takeLink = () => {
      const linked = takeLinkToken();
      if (linked) signIn(linked).then((refused) => refused && setNotice({ messages: refused, ended: false }));
    };
    takeLink();
    addEventListener("hashchange", takeLink);
    return () => removeEventListener("hashchange", takeLink);
  }, []);
  return html`
    <header>
      <h1>${t("app.title")}</h1>
      <${LanguageSwitch} language=${language} setLanguage=${setLanguage} t=${t} />
    </header>
    ${token && rules
      ? html`<${Console}
          key=${token}
          token=${token}
          rules=${rules}
          language=${language}
          t=${t}
          signOut=${signOut}
        />`
      : html`<main id="main"><${SignIn} t=${t} signIn=${signIn} notice=${notice} /></main>`}
  `;
}

render(html`<${App} />`, document.getElementById("console"));
