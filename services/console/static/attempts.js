// A form's attempts: sending one clears what the last one's answer said (its errors at the
// fields and above the button, a receipt), and until the new answer comes the form says it
// is waiting. The old errors stayed on screen beside a disabled button, read as the new
// attempt's answer. Once the answer is drawn, focus goes where it continues.
import { useEffect, useRef, useState } from "preact/hooks";
import { html } from "./html.js";

// Sending disables the control that sent (a button, a checkbox), and the browser moves focus
// off it to the page's body: a keyboard or screen-reader user was sent back to the top. Once
// the answer is drawn, focus goes to `target(container)` unless the user moved it meanwhile
// (Enter in a field keeps focus there).
export function useFocusAfterAnswer(container, busy, target) {
  const wasBusy = useRef(false);
  useEffect(() => {
    const lost = [document.body, null].includes(document.activeElement);
    if (wasBusy.current && !busy && lost && container.current) target(container.current)?.focus();
    wasBusy.current = busy;
  }, [busy]);
}

// A form's first field marked invalid (a choices field's first box), whose error it is
// described by, so that it is read with it.
const INVALID = "[aria-invalid=true]:is(input, select, textarea), [aria-invalid=true] input";

// A new idempotency key: 128 random bits in hex. `getRandomValues`, not `randomUUID`, which a
// page served over plain HTTP to another host than localhost does not have.
function newKey() {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

// The key of a submission sending `sends` (its variables): the last one's again while no
// answer came to it (its answer lost, or a second press, or a script's submits, before it
// came), so that the API records the event once; a new one for other variables, or once the
// API answered a receipt (a new intent: the box ticked again after it was withdrawn).
function keyOf(last, sends) {
  const intent = JSON.stringify(sends);
  if (last.current && last.current.intent === intent && !last.current.answered) return last.current.key;
  last.current = { intent, key: newKey(), answered: false };
  return last.current.key;
}

// Whether an outcome is one that stands whatever the form says now: its event accepted and
// applied (a refusal, of the request, the receipt or a service, is about what was sent).
function accepted(outcome) {
  const receipt = outcome.receipt;
  return Boolean(receipt?.accepted && !receipt.processing?.deadLetters.length);
}

// The last outcome as it still applies: a refusal is dropped once what it was about changed
// (`about`, a plan's state a live update changed: "still barred" after the vendor may bid
// again), and once the form's inputs changed, its errors at the fields changed and its
// refusals of the whole, keeping only errors at fields left as they were sent (a corrected
// day left "Before the sanction was decided" beside it, read as the new day's).
function standing(state, values, about) {
  const { outcome, sent } = state;
  if (!outcome || !sent || accepted(outcome)) return outcome;
  if (sent.about !== JSON.stringify(about)) return null;
  if (values === null) return outcome;
  const changed = Object.keys(values).filter((name) => values[name] !== sent.values[name]);
  if (!changed.length) return outcome;
  const byField = Object.fromEntries(Object.entries(outcome.byField ?? {}).filter(([name]) => !changed.includes(name)));
  return Object.keys(byField).length ? { ...outcome, byField, others: [], refused: null } : null;
}

// `attempt(send, sends)`: `send(key)` is awaited for the outcome, `key` the idempotency key of
// the submission sending `sends` (keyOf); `busy` while it is, `outcome` the last answered
// one's as it still applies (null while waiting, and before the first; `standing`, given the
// form's `values`, by field name, and what its refusals are `about`). `area`, the ref of the
// form (or the fieldset) it sends from: once answered, focus goes to its first field in
// error, else back to the control that sent it, else to its submit button.
export function useAttempt({ values = null, about = null } = {}) {
  const [state, setState] = useState({ busy: false, outcome: null, sent: null });
  const area = useRef(null);
  const sender = useRef(null);
  const last = useRef(null);
  useFocusAfterAnswer(area, state.busy, (within) => {
    const sent = sender.current && within.contains(sender.current) ? sender.current : null;
    return within.querySelector(INVALID) ?? sent ?? within.querySelector("button[type=submit]");
  });
  const attempt = async (send, sends = null) => {
    sender.current = document.activeElement;
    const key = keyOf(last, sends);
    const sent = { values, about: JSON.stringify(about) };
    setState({ busy: true, outcome: null, sent: null });
    let outcome = null;
    try {
      outcome = await send(key);
      return outcome;
    } finally {
      if (outcome?.receipt && last.current?.key === key) last.current.answered = true;
      // A failure the form does not answer (a fault of ours) frees the button all the same.
      setState({ busy: false, outcome, sent });
    }
  };
  return { busy: state.busy, outcome: standing(state, values, about), attempt, area };
}

// What a form shows while its attempt waits for the answer.
export function Waiting({ t, busy }) {
  return busy ? html`<p class="waiting" role="status">${t("form.waiting")}</p>` : null;
}
