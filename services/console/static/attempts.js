// A form's attempts: sending one clears what the last one's answer said (its errors at the
// fields and above the button, a receipt), and until the new answer comes the form says it
// is waiting. The old errors stayed on screen beside a disabled button, read as the new
// attempt's answer.
import { useState } from "preact/hooks";
import { html } from "./html.js";

// `attempt(send)`: `send()` is awaited for the outcome; `busy` while it is, `outcome` the last
// answered one's (null while waiting, and before the first).
export function useAttempt() {
  const [state, setState] = useState({ busy: false, outcome: null });
  const attempt = async (send) => {
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
  return { ...state, attempt };
}

// What a form shows while its attempt waits for the answer.
export function Waiting({ t, busy }) {
  return busy ? html`<p class="waiting" role="status">${t("form.waiting")}</p>` : null;
}
