// Reads whose answers may come back out of order: a page's reads for the thing its address
// names (a vendor, a plan), read again on live updates, and a form's requests. Only the
// latest read's answer is ever shown: an answer that comes late (the user went from
// #/vendor/vendor-b to #/vendor/ghost while B's was on its way) is dropped, and a page whose
// address names something else shows "Loading…" at once, never the thing named before.
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiRefusal } from "./api.js";

// `begin()` before each read returns `isLatest()`, true until another read begins.
export function useLatestOnly() {
  const count = useRef(0);
  return () => {
    const read = ++count.current;
    return () => read === count.current;
  };
}

// The answer of `read()` for `key` (what the address names; null: nothing named, nothing
// read): `{value, refused, reload, refuse}`. `value` is undefined until the read for this key
// answers (the page says it is loading) and stays so when the API refuses it (`refused`: the
// refusal's messages). `reload()` reads again (a live update, a form's change); `refuse`
// shows a refusal met elsewhere (a subscription), keeping the value shown.
export function useRead(key, read) {
  const [state, setState] = useState({ key, value: undefined, refused: null });
  const begin = useLatestOnly();
  const latest = useRef({ key, read });
  latest.current = { key, read };
  const reload = async () => {
    const { key: asked, read: reading } = latest.current;
    const isLatest = begin();
    if (asked === null) return;
    try {
      const value = await reading();
      if (isLatest()) setState({ key: asked, value, refused: null });
    } catch (error) {
      if (!(error instanceof ApiRefusal)) throw error;
      if (isLatest()) setState({ key: asked, value: undefined, refused: error.messages });
    }
  };
  useEffect(() => {
    reload();
  }, [key]);
  const refuse = (messages) => setState((now) => ({ ...now, refused: messages }));
  // Another key than the answer's: what it names has not been read yet.
  const shown = state.key === key ? state : { value: undefined, refused: null };
  return { value: shown.value, refused: shown.refused, reload, refuse };
}
