// The procurement officer's screening: one bidder (by vendor id, corporate number or name,
// with the ranked candidates of a name), or a whole bidder list in one screenBidders request,
// as of a day and as the registry knew it at a moment, each answer with the bars already
// recorded to come (reasons.js), with the result as CSV; and the
// registry's exclusions export for other systems. The conditions, what was given and the last
// answers are kept for the tab (kept.js): Back from a vendor's page finds them as they were.
import { useRef, useState } from "preact/hooks";
import { ApiRefusal } from "./api.js";
import { useFocusAfterAnswer, Waiting } from "./attempts.js";
import { answeredDay, bidderInput, readBidders, resultCsv } from "./bidders.js";
import { saveBlob } from "./downloads.js";
import { ExclusionsExport } from "./exclusions.js";
import { html } from "./html.js";
import { DateText, dayText, oneDecimal } from "./i18n.js";
import { useKept } from "./kept.js";
import { useLatestOnly } from "./reads.js";
import { BarsToCome, Reasons } from "./reasons.js";
import { Candidates, FIND_VENDOR, vendorLink } from "./search.js";
import { Refusal } from "./signin.js";

const REASON = "sanctionId kind authority startsOn barsFrom resumed endsOn viaVendorId";
const SCREEN_BIDDERS = `query ConsoleScreenBidders($bidders: [BidderInput!]!, $asOf: Date,
    $agency: String, $category: String, $knownAt: DateTime) {
  screenBidders(bidders: $bidders, asOf: $asOf, agency: $agency, category: $category,
      knownAt: $knownAt) {
    ref status vendorId error
    eligibility { asOf eligibleAgainOn reasons { ${REASON} } upcoming { ${REASON} } }
    candidates { vendorId score matchedName matchedKind why eligible eligibleAgainOn
      reasons { ${REASON} } upcoming { ${REASON} } }
  }
}`;
const STATUSES = ["ELIGIBLE", "BARRED", "POSSIBLE_MATCH", "UNKNOWN", "INVALID"];

// Runs a request, showing only the latest one's answer; a refusal by the API is kept to be
// shown as it said it. The last answer (`data`) is kept for the tab under `key`.
function useRequest(key) {
  const [state, setState] = useState({ busy: false, refused: null });
  const [data, setData] = useKept(key, null);
  const begin = useLatestOnly();
  const run = async (request) => {
    const isLatest = begin();
    setState({ busy: true, refused: null });
    setData(null);
    try {
      const answer = await request();
      if (!isLatest()) return;
      setState({ busy: false, refused: null });
      setData(answer);
    } catch (error) {
      if (!(error instanceof ApiRefusal)) throw error;
      if (isLatest()) setState({ busy: false, refused: error.messages });
    }
  };
  return [{ ...state, data }, run];
}

// Once the answer is drawn, focus goes to its heading (back to the button after a refusal).
const answerOrButton = (section) =>
  section.querySelector(".results h4") ?? section.querySelector("button[type=submit]");

// How many answers have each status, in STATUSES' order.
const countsOf = (results) =>
  STATUSES.map((status) => [status, results.filter((result) => result.status === status).length]);

// The answer's summary, said by a screen reader when it comes ("Result: 8 bidders. Eligible:
// 6, Barred: 1, …"): a polite live region, there before the answer so that its change is
// heard; the table below says the same to whoever reads the page.
function Announced({ t, data }) {
  const said = data
    ? `${t("screening.results", { count: data.results.length })}. ${countsOf(data.results)
        .map(([status, count]) => `${t(`status.${status}`)}: ${count}`)
        .join(", ")}`
    : "";
  return html`<p class="visually-hidden" role="status">${said}</p>`;
}

function Conditions({ t, conditions, setConditions }) {
  const field = (name, label, hint, type = "text") => html`<div class="field">
    <label for=${`condition-${name}`}>${t(label)}</label>
    <input
      id=${`condition-${name}`}
      type=${type}
      value=${conditions[name]}
      aria-describedby=${hint ? `condition-${name}-hint` : null}
      onInput=${(event) => setConditions({ ...conditions, [name]: event.target.value })}
    />
    ${hint ? html`<small id=${`condition-${name}-hint`}>${t(hint)}</small>` : null}
  </div>`;
  return html`<fieldset class="conditions">
    <legend>${t("screening.conditions")}</legend>
    ${field("asOf", "screening.asOf", "screening.asOfHint")}
    ${field("knownAt", "screening.knownAt", "screening.knownAtHint", "datetime-local")}
    ${field("agency", "screening.agency", null)} ${field("category", "screening.category", null)}
  </fieldset>`;
}

// The variables of screenBidders besides the bidders; an empty field is the API's default.
// "As known at" is a UTC time, as every time the console shows (i18n.InstantText): the field
// has no zone of its own, and read in the browser's zone a Tokyo officer's 23:30 would be
// 14:30 UTC, before a record the console showed at 23:10 UTC.
function conditionVariables(conditions) {
  return {
    asOf: conditions.asOf.trim() || null,
    knownAt: conditions.knownAt ? new Date(`${conditions.knownAt}Z`).toISOString() : null,
    agency: conditions.agency.trim() || null,
    category: conditions.category.trim() || null,
  };
}

function EligibleAgain({ t, language, on }) {
  return on
    ? html`<p class="again">
        ${t("screening.eligibleAgainOn")} <${DateText} iso=${on} language=${language} />
      </p>`
    : null;
}

// A vendor's bars to come, led by whether it may bid on the day: an officer awarding a
// contract to a vendor eligible today needs the day its bar begins.
function ToCome({ t, language, eligible, upcoming }) {
  const lead = eligible ? t("toCome.eligibleOnTheDay") : t("toCome.barredAgain");
  return html`<${BarsToCome} t=${t} language=${language} bars=${upcoming} lead=${lead} />`;
}

// What a bidder's answer says beyond its status.
function Details({ t, language, result }) {
  if (result.status === "ELIGIBLE") {
    return html`<${ToCome} t=${t} language=${language} eligible upcoming=${result.eligibility.upcoming} />`;
  }
  if (result.status === "BARRED") {
    return html`<${Reasons} t=${t} language=${language} reasons=${result.eligibility.reasons} />
      <${EligibleAgain} t=${t} language=${language} on=${result.eligibility.eligibleAgainOn} />
      <${ToCome} t=${t} language=${language} eligible=${false} upcoming=${result.eligibility.upcoming} />`;
  }
  if (result.status === "POSSIBLE_MATCH") {
    return html`<ul class="matches">
      ${result.candidates.map(
        (candidate) => html`<li>
          <a href=${vendorLink(candidate.vendorId)}>${candidate.vendorId}</a>
          ${" "}${candidate.matchedName}${" "}
          (${t(`nameKind.${candidate.matchedKind}`)}${", "}${t("search.score")} ${oneDecimal(candidate.score)})
          <div class="why">${candidate.why}</div>
          <${Reasons} t=${t} language=${language} reasons=${candidate.reasons} />
          <${EligibleAgain} t=${t} language=${language} on=${candidate.eligibleAgainOn} />
          <${ToCome} t=${t} language=${language} eligible=${candidate.eligible} upcoming=${candidate.upcoming} />
        </li>`,
      )}
    </ul>`;
  }
  if (result.status === "INVALID") return html`<span class="error">${result.error}</span>`;
  return null;
}

// The day the answers are for, as every date is shown (ISO, with its era date in Japanese);
// when no bidder could be judged the registry gave no day, and the one asked is said apart,
// as typed (it was shown as typed, 令和元年5月1日, where a judged answer showed 2019-05-01).
function AnsweredFor({ t, language, results, asked }) {
  const day = answeredDay(results);
  if (day) return t("screening.answeredFor", { day: dayText(day, language) });
  return asked.asOf ? t("screening.noneJudged", { day: asked.asOf }) : t("screening.answeredForToday");
}

// A list's ref ("line 3", the CSV's and the API's) in the user's language; the one bidder's
// ("1") as it is.
function refText(t, ref) {
  const line = /^line (\d+)$/.exec(ref);
  return line ? t("screening.line", { line: line[1] }) : ref;
}

// Answers stay on screen when the conditions change; they say which day they are for, and
// that the conditions above are no longer theirs.
function Results({ t, language, bidders, results, asked, conditions }) {
  const counts = countsOf(results);
  const download = () =>
    saveBlob(
      new Blob([resultCsv(bidders, results, asked)], { type: "text/csv;charset=utf-8" }),
      "screening.csv",
    );
  const title = t("screening.results", { count: results.length });
  const stale = JSON.stringify(asked) !== JSON.stringify(conditionVariables(conditions));
  return html`<section class="results" aria-label=${title}>
    <h4 tabindex="-1">${title}</h4>
    <p class="answered-for"><${AnsweredFor} t=${t} language=${language} results=${results} asked=${asked} /></p>
    ${stale ? html`<p class="stale" role="status">${t("screening.stale")}</p>` : null}
    <p class="summary">
      ${counts.map(
        ([status, count]) =>
          html`<span class=${`status status-${status}`}>${t(`status.${status}`)}: ${count}</span> `,
      )}
    </p>
    <button type="button" onClick=${download}>${t("screening.download")}</button>
    <table class="screening">
      <caption class="visually-hidden">${title}</caption>
      <thead>
        <tr>
          <th scope="col">${t("screening.ref")}</th>
          <th scope="col">${t("screening.input")}</th>
          <th scope="col">${t("screening.status")}</th>
          <th scope="col">${t("search.vendor")}</th>
          <th scope="col">${t("screening.details")}</th>
        </tr>
      </thead>
      <tbody>
        ${results.map(
          (result, index) => html`<tr data-ref=${result.ref} data-status=${result.status}>
            <td>${refText(t, result.ref)}</td>
            <td class="name">${bidderInput(bidders[index])}</td>
            <td><span class=${`status status-${result.status}`}>${t(`status.${result.status}`)}</span></td>
            <td>
              ${result.vendorId
                ? html`<a href=${vendorLink(result.vendorId)}>${result.vendorId}</a>`
                : null}
            </td>
            <td class="name"><${Details} t=${t} language=${language} result=${result} /></td>
          </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}

const BY = {
  name: (value) => ({ name: value }),
  corporateNumber: (value) => ({ identifier: { scheme: "corporate_number", value } }),
  vendorId: (value) => ({ vendorId: value }),
};

function OneBidder({ session, conditions }) {
  const { t, language, api } = session;
  const [by, setBy] = useKept("screening.one.by", "name");
  const [value, setValue] = useKept("screening.one.value", "");
  const [state, run] = useRequest("screening.one.answer");
  const section = useRef(null);
  useFocusAfterAnswer(section, state.busy, answerOrButton);
  const submit = (event) => {
    event.preventDefault();
    const bidder = { ref: "1", ...BY[by](value.trim()) };
    run(async () => {
      const asked = conditionVariables(conditions);
      const screened = await api(SCREEN_BIDDERS, { bidders: [bidder], ...asked });
      const hits = by === "name" ? (await api(FIND_VENDOR, { search: value.trim() })).vendors : null;
      return { bidders: [bidder], results: screened.screenBidders, hits, asked };
    });
  };
  return html`<section aria-labelledby="one-title" ref=${section}>
    <h3 id="one-title">${t("screening.one")}</h3>
    <form class="inline" onSubmit=${submit}>
      <label for="one-by">${t("screening.by")}</label>
      <select id="one-by" value=${by} onChange=${(event) => setBy(event.target.value)}>
        ${Object.keys(BY).map((key) => html`<option value=${key}>${t(`screening.by.${key}`)}</option>`)}
      </select>
      <label for="one-value" class="visually-hidden">${t(`screening.by.${by}`)}</label>
      <input id="one-value" required value=${value} onInput=${(e) => setValue(e.target.value)} />
      <button type="submit" disabled=${state.busy}>${t("screening.screenOne")}</button>
    </form>
    <${Waiting} t=${t} busy=${state.busy} />
    <${Announced} t=${t} data=${state.data} />
    <${Refusal} t=${t} messages=${state.refused} />
    ${state.data
      ? html`<${Results} t=${t} language=${language} conditions=${conditions} ...${state.data} />
          ${state.data.hits
            ? html`<${Candidates} t=${t} hits=${state.data.hits} caption=${t("search.ranked")} />`
            : null}`
      : null}
  </section>`;
}

function BidderList({ session, conditions }) {
  const { t, language, api } = session;
  // The text, and whether it is an uploaded CSV file's (read as CSV even without a header
  // row); typing in it makes it a pasted list again.
  const [list, setList] = useKept("screening.list.given", { text: "", csvFile: false });
  const [state, run] = useRequest("screening.list.answer");
  const section = useRef(null);
  useFocusAfterAnswer(section, state.busy, answerOrButton);
  const { format, bidders } = readBidders(list.text, list.csvFile);
  const upload = async (event) => {
    const file = event.target.files[0];
    if (file) setList({ text: await file.text(), csvFile: /\.csv$/i.test(file.name) || file.type === "text/csv" });
  };
  const submit = (event) => {
    event.preventDefault();
    run(async () => {
      const asked = conditionVariables(conditions);
      const results = (await api(SCREEN_BIDDERS, { bidders, ...asked })).screenBidders;
      return { bidders, results, asked };
    });
  };
  return html`<section aria-labelledby="list-title" ref=${section}>
    <h3 id="list-title">${t("screening.list")}</h3>
    <form onSubmit=${submit}>
      <label for="list-text">${t("screening.paste")}</label>
      <small id="list-hint">${t("screening.pasteHint")}</small>
      <textarea
        id="list-text"
        rows="8"
        spellcheck="false"
        aria-describedby="list-hint list-read-as"
        value=${list.text}
        onInput=${(event) => setList({ text: event.target.value, csvFile: false })}
      ></textarea>
      <small id="list-read-as" class="read-as" data-format=${format}>${t(`screening.readAs.${format}`)}</small>
      <label for="list-file">${t("screening.upload")}</label>
      <input id="list-file" type="file" accept=".csv,text/csv,text/plain" onChange=${upload} />
      <button type="submit" disabled=${state.busy || bidders.length === 0}>
        ${t("screening.screenList", { count: bidders.length })}
      </button>
    </form>
    <${Waiting} t=${t} busy=${state.busy} />
    <${Announced} t=${t} data=${state.data} />
    <${Refusal} t=${t} messages=${state.refused} />
    ${state.data
      ? html`<${Results} t=${t} language=${language} conditions=${conditions} ...${state.data} />`
      : null}
  </section>`;
}

export function ScreeningScreen({ session }) {
  const { t } = session;
  const [conditions, setConditions] = useKept("screening.conditions", {
    asOf: "",
    knownAt: "",
    agency: "",
    category: "",
  });
  return html`<h2>${t("screening.title")}</h2>
    <${Conditions} t=${t} conditions=${conditions} setConditions=${setConditions} />
    <${OneBidder} session=${session} conditions=${conditions} />
    <${BidderList} session=${session} conditions=${conditions} />
    <${ExclusionsExport} session=${session} />`;
}
