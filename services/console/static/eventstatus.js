// What became of one event (`eventStatus`), its id pasted or followed from the audit trail:
// in the log or not, which services applied it, which still will, which refused it and why
// (its dead letters, with the input as refused for the roles the API gives it to), and an
// event services took that the log no longer holds, said plainly. The id is the address
// (`#/event-status/<id>`): a status can be bookmarked, passed on, and asked again.
import { useAddressedField } from "./address.js";
import { html } from "./html.js";
import { InstantText } from "./i18n.js";
import { useRead } from "./reads.js";
import { vendorLink } from "./search.js";
import { Refusal } from "./signin.js";

// `raw` is null for the roles that may not read refused input: the API decides.
const STATUS = `query ConsoleEventStatus($eventId: ID!) {
  eventStatus(eventId: $eventId) {
    eventId accepted recordedAt appliedBy refusedBy pending missingFromLog
    deadLetters { deadLetterId stage reason eventType vendorId recordedAt overturned raw }
  }
}`;

export function statusLink(eventId) {
  return `#/event-status/${encodeURIComponent(eventId)}`;
}

const stagesText = (t, stages) => stages.map((stage) => t(`stage.${stage}`)).join(", ");

// Where the event is, in one sentence: the first thing an auditor asks.
function Where({ t, language, status }) {
  if (status.missingFromLog) {
    return html`<p class="refusal" role="alert" data-where="missing">${t("eventStatus.missingFromLog")}</p>`;
  }
  if (status.accepted) {
    return html`<p data-where="in-log">
      ${t("eventStatus.inLog")} <${InstantText} iso=${status.recordedAt} language=${language} />
    </p>`;
  }
  if (status.refusedBy.includes("INGEST")) return html`<p data-where="refused">${t("eventStatus.refusedAtIngest")}</p>`;
  return html`<p data-where="not-yet">${t("eventStatus.notInLog")}</p>`;
}

function Letter({ t, language, letter }) {
  return html`<li data-stage=${letter.stage}>
    <strong>${t(`stage.${letter.stage}`)}</strong>${" · "}<${InstantText} iso=${letter.recordedAt} language=${language} />
    ${letter.eventType ? html`${" · "}<code>${letter.eventType}</code>` : null}
    ${letter.vendorId ? html`${" · "}<a href=${vendorLink(letter.vendorId)}>${letter.vendorId}</a>` : null}
    <p class="reason">${letter.reason}</p>
    ${letter.overturned ? html`<p><small>${t("deadLetters.overturned")}</small></p>` : null}
    ${letter.raw === null
      ? null
      : html`<details>
          <summary>${t("deadLetters.raw")}</summary>
          <pre>${letter.raw}</pre>
        </details>`}
  </li>`;
}

function Status({ t, language, status, reload }) {
  const rows = [
    // "none yet" only while some service still will: a refused event is applied by none.
    ["eventStatus.appliedBy", status.appliedBy, status.pending.length ? "eventStatus.noneYet" : "eventStatus.noneRefused"],
    ["eventStatus.pending", status.pending, "eventStatus.nothingPending"],
    ["eventStatus.refusedBy", status.refusedBy, "eventStatus.noneRefused"],
  ];
  return html`<section aria-labelledby="status-title">
    <h3 id="status-title">${t("eventStatus.of")} <span class="id">${status.eventId}</span></h3>
    <${Where} t=${t} language=${language} status=${status} />
    <dl class="facts">
      ${rows.map(
        ([label, stages, none]) => html`<dt>${t(label)}</dt>
          <dd data-stages=${label.slice("eventStatus.".length)}>${stages.length ? stagesText(t, stages) : t(none)}</dd>`,
      )}
    </dl>
    ${status.refusedBy.includes("REGISTRY") ? html`<p>${t("eventStatus.registryVerdict")}</p>` : null}
    ${status.deadLetters.length
      ? html`<h4>${t("eventStatus.why")}</h4>
          <ul class="letters">
            ${status.deadLetters.map((letter) => html`<${Letter} t=${t} language=${language} letter=${letter} />`)}
          </ul>`
      : null}
    <p><button type="button" onClick=${() => reload()}>${t("eventStatus.askAgain")}</button></p>
  </section>`;
}

export function EventStatusScreen({ session, argument }) {
  const { t, language, api } = session;
  const read = useRead(argument || null, async () => (await api(STATUS, { eventId: argument })).eventStatus);
  const [typed, setTyped, submit] = useAddressedField(argument, statusLink, read);
  return html`<h2>${t("eventStatus.title")}</h2>
    <p>${t("eventStatus.help")}</p>
    <form class="inline" onSubmit=${submit}>
      <label for="event-id">${t("eventStatus.eventId")}</label>
      <input id="event-id" required size="40" spellcheck="false" value=${typed} onInput=${(e) => setTyped(e.target.value)} />
      <button type="submit">${t("eventStatus.show")}</button>
    </form>
    <${Refusal} t=${t} messages=${read.refused} />
    ${!argument || read.refused
      ? null
      : read.value === undefined
        ? html`<p aria-live="polite">${t("loading")}</p>`
        : html`<${Status} t=${t} language=${language} status=${read.value} reload=${read.reload} />`}`;
}
