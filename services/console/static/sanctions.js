// The sanction authority's screen: a suspension proposed from the authority's policy
// (grounds, serious, decision date → first day, range of months, last day), which fills the
// imposition form; then impose, amend or lift (sanctionforms.js). The authority and its
// grounds are chosen from those the API knows (authorities.js).
import { useEffect, useState } from "preact/hooks";
import { ApiRefusal } from "./api.js";
import { useAttempt, Waiting } from "./attempts.js";
import { groundOptions, policyOf, useAuthorities } from "./authorities.js";
import { Field, fieldSetter, listOrNull, variableField } from "./fields.js";
import { html } from "./html.js";
import { DateText } from "./i18n.js";
import { AmendForm, IMPOSE_START, ImposeForm, LiftForm } from "./sanctionforms.js";
import { Refusal } from "./signin.js";

const PROPOSE = `query ConsoleProposeSuspension($authority: String!, $grounds: [String!]!, $serious: Boolean!,
    $decidedOn: Date!) {
  proposeSuspension(authority: $authority, grounds: $grounds, serious: $serious, decidedOn: $decidedOn) {
    authority startsOn minMonths maxMonths earliestLastDay latestLastDay governingGround serious aggravationFactor
  }
}`;
const FORM = "propose";
// A proposal form's state before its first answer, and as an answer without refusals leaves it.
const NO_PROPOSAL = { proposal: null, byField: {}, others: [] };
const FIELDS = ["authority", "grounds", "serious", "decidedOn"];
// The policy's refusals name their argument first: "grounds: unknown ground 'x'… (proposeSuspension)";
// a value the API could not read names its variable ("Variable '$decidedOn' has invalid value…").
const NAMED = /^(\w+): (.*?)(?: \(proposeSuspension\))?$/;

function byArgument(refusals) {
  const byField = {};
  const others = [];
  for (const refusal of refusals) {
    const named = NAMED.exec(refusal.message);
    const unread = variableField(refusal);
    if (named && FIELDS.includes(named[1])) (byField[named[1]] ??= []).push({ message: named[2], code: refusal.code });
    else if (unread && FIELDS.includes(unread)) (byField[unread] ??= []).push(refusal);
    else others.push(refusal);
  }
  return { byField, others };
}

function Proposal({ t, language, policy, proposal, use }) {
  // The governing ground by its name in the user's language (the code when the policy is gone).
  const governing = policy?.grounds.find((ground) => ground.code === proposal.governingGround);
  const ground = governing ? (language === "ja" ? governing.labelJa : governing.labelEn) : proposal.governingGround;
  const day = (iso) => html`<${DateText} iso=${iso} language=${language} />`;
  return html`<div class="proposal" role="status">
    <dl class="facts">
      <dt>${t("sanction.startsOn")}</dt><dd data-proposed="startsOn">${day(proposal.startsOn)}</dd>
      <dt>${t("sanction.range")}</dt>
      <dd data-proposed="range">${t("sanction.rangeText", { min: proposal.minMonths, max: proposal.maxMonths })}</dd>
      <dt>${t("sanction.lastDay")}</dt>
      <dd data-proposed="lastDay">${day(proposal.earliestLastDay)}${" – "}${day(proposal.latestLastDay)}</dd>
      <dt>${t("sanction.governingGround")}</dt><dd data-proposed="governingGround">${ground}</dd>
      <dt>${t("sanction.aggravation")}</dt>
      <dd>${proposal.serious ? t("sanction.aggravationText", { factor: proposal.aggravationFactor }) : t("sanction.no")}</dd>
    </dl>
    <button type="button" onClick=${use}>${t("sanction.takeProposal", { months: proposal.maxMonths, count: proposal.maxMonths })}</button>
  </div>`;
}

function ProposeForm({ session, authorities, takeProposal }) {
  const { t, api, language } = session;
  const [values, setValues] = useState({ authority: "", grounds: "", serious: false, decidedOn: "" });
  const { outcome, busy, attempt, area } = useAttempt();
  const state = outcome ?? NO_PROPOSAL;
  const set = fieldSetter(setValues, (name) => (name === "authority" ? { grounds: "" } : {}));
  // Only an authority with a policy has proposals; when there is one, it is chosen already.
  const withPolicy = (authorities ?? []).filter((authority) => authority.policy);
  useEffect(() => {
    if (withPolicy.length === 1 && !values.authority) set("authority", withPolicy[0].name);
  }, [authorities]);
  const policy = policyOf(authorities, values.authority);
  const submit = async (event) => {
    event.preventDefault();
    const variables = {
      authority: values.authority.trim(),
      grounds: listOrNull(values.grounds) ?? [],
      serious: values.serious,
      decidedOn: values.decidedOn.trim(),
    };
    await attempt(async () => {
      try {
        const { proposeSuspension } = await api(PROPOSE, variables);
        return { ...NO_PROPOSAL, proposal: { ...proposeSuspension, grounds: variables.grounds, decidedOn: variables.decidedOn } };
      } catch (error) {
        if (!(error instanceof ApiRefusal)) throw error;
        return { proposal: null, ...byArgument(error.messages) };
      }
    });
  };
  const field = (name, extra = {}) =>
    html`<${Field} t=${t} form=${FORM} name=${name} label=${t(`sanction.propose.${name}`)} value=${values[name]} set=${set}
      errors=${state.byField} ...${extra} />`;
  const choices = [["", t("sanction.chooseAuthority")], ...withPolicy.map((authority) => [authority.name, authority.name])];
  return html`<section aria-labelledby="propose-title" class="event-form">
    <h3 id="propose-title">${t("sanction.proposeTitle")}</h3>
    <p>${t("sanction.proposeHelp")}</p>
    <form id=${FORM} onSubmit=${submit} ref=${area}>
      <div class="form-grid">
        ${field("authority", { kind: "select", options: choices })}
        ${policy
          ? field("grounds", { kind: "choices", options: groundOptions(t, language, policy) })
          : html`<p class="field">${t("sanction.groundsAfterAuthority")}</p>`}
        ${field("serious", { kind: "checkbox" })}
        ${field("decidedOn", { required: true, hint: t("form.dateHint") })}
      </div>
      <button type="submit" disabled=${busy}>${t("sanction.propose")}</button>
      <${Waiting} t=${t} busy=${busy} />
    </form>
    <${Refusal} t=${t} messages=${state.others} />
    ${state.proposal
      ? html`<${Proposal} t=${t} language=${language} policy=${policyOf(authorities, state.proposal.authority)} proposal=${state.proposal} use=${() => takeProposal(state.proposal)} />`
      : null}
  </section>`;
}

export function SanctionsScreen({ session }) {
  const { t } = session;
  const { authorities, refused } = useAuthorities(session.api);
  const [impose, setImpose] = useState(IMPOSE_START);
  // The proposal's authority, grounds, decision, first day and longest period, into the form.
  const takeProposal = (proposal) => {
    setImpose({
      ...impose,
      "payload.kind": "BID_SUSPENSION",
      "payload.authority": proposal.authority,
      "payload.grounds": proposal.grounds.join(", "),
      "payload.serious": proposal.serious,
      "payload.decidedOn": proposal.decidedOn,
      "payload.startsOn": proposal.startsOn,
      "payload.period": "durationMonths",
      "payload.period.durationMonths": String(proposal.maxMonths),
    });
    document.getElementById("impose-title").scrollIntoView();
  };
  return html`<h2>${t("sanction.title")}</h2>
    <${Refusal} t=${t} messages=${refused} />
    <${ProposeForm} session=${session} authorities=${authorities} takeProposal=${takeProposal} />
    <${ImposeForm} session=${session} authorities=${authorities} values=${impose} setValues=${setImpose} />
    <${AmendForm} session=${session} />
    <${LiftForm} session=${session} />`;
}
