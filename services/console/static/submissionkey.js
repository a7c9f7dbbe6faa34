// One idempotency key per submission (the mutations' `idempotencyKey`): a form sent again
// after no answer came (the network, the server down, no answer in time) may have been
// recorded the first time, so the resend carries the same key and the API answers with the
// event the first one recorded, rather than recording a second acknowledgement or save. Once
// an answer comes (accepted, refused at a field, or a refusal of the request), or the values
// sent change, the next submission is another event with a key of its own (the API refuses a
// key reused for other values: `reused_key`).
import { useRef } from "preact/hooks";
import { NO_ANSWER, NO_ANSWER_IN_TIME } from "./api.js";

// A random UUID (version 4). `crypto.randomUUID` exists only in a secure context, and a
// console on a closed network may be served over plain http by a host name; random values do.
function randomKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// Did the outcome of `fields.record` come without an answer (so the event may be recorded)?
const unanswered = (outcome) =>
  !outcome.receipt && Boolean(outcome.refused?.length) && outcome.refused.every((refusal) => [NO_ANSWER, NO_ANSWER_IN_TIME].includes(refusal.code));

// `keyFor(values)`: the key to send `values` with; `settle(outcome)`: what the answer was.
export function useSubmissionKey() {
  const kept = useRef(null);
  const keyFor = (values) => {
    const sent = JSON.stringify(values);
    if (kept.current?.sent !== sent) kept.current = { sent, key: randomKey() };
    return kept.current.key;
  };
  const settle = (outcome) => {
    if (!unanswered(outcome)) kept.current = null;
  };
  return { keyFor, settle };
}
