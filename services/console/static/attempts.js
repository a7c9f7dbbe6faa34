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

// `attempt(send)`: `send()` is awaited for the outcome; `busy` while it is, `outcome` the last
// answered one's (null while waiting, and before the first). `area`, the ref of the form (or
// the fieldset) it sends from: once answered, focus goes to its first field in error, else
// back to the control that sent it, else to its submit button.
export function useAttempt() {
  const [state, setState] = useState({ busy: false, outcome: null });
  const area = useRef(null);
  const sender = useRef(null);
  useFocusAfterAnswer(area, state.busy, (within) => {
    const sent = sender.current && within.contains(sender.current) ? sender.current : null;
    return within.querySelector(INVALID) ?? sent ?? within.querySelector("button[type=submit]");
  });
  const attempt = async (send) => {
    sender.current = document.activeElement;
    setState({ busy: true, outcome: null });
    let outcome = null;
    try {
      outcome = await send();
      return outcome;
    } finally {
      // A failure the form does not answer (a fault of ours) frees the button all the same.
      setState({ busy: false, outcome });
    }
  };
  return { ...state, attempt, area };
}

// What a form shows while its attempt waits for the answer.
export function Waiting({ t, busy }) {
  return busy ? html`<p class="waiting" role="status">${t("form.waiting")}</p>` : null;
}
