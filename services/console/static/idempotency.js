// One idempotency key per event a form records (the mutation's `idempotencyKey`). The same
// values sent again before any receipt came (the connection dropped, no answer in time, a
// proxy's 502) keep the key: the API then answers with the event the first attempt may have
// recorded, rather than recording it twice. A receipt (accepted or refused at the fields) ends
// the key's use, and so do other values: the API refuses a key sent again for another event
// (`reused_key`).
import { useRef } from "preact/hooks";

// 128 random bits in hex. crypto.randomUUID exists only in secure contexts (https, localhost),
// and the console may be served over plain http on a closed network; getRandomValues is
// everywhere.
function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `console-${[...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}

// `keyFor(variables)`: the key to send with these variables; `answered(outcome)`: after the
// form's `record()` outcome, which ends the key's use when it holds a receipt.
export function useIdempotencyKey() {
  const kept = useRef(null);
  const keyFor = (variables) => {
    const sent = JSON.stringify(variables);
    if (kept.current?.sent !== sent) kept.current = { sent, key: newKey() };
    return kept.current.key;
  };
  const answered = (outcome) => {
    if (outcome?.receipt) kept.current = null;
  };
  return { keyFor, answered };
}
