// What a screen keeps for this browser tab while its user is signed in (sessionStorage, as
// the token): screening's conditions, lists and last answers. Held only in a component's
// state, they were gone when the officer followed a vendor link and came Back, and a
// 300-bidder list had to be pasted and screened again for every candidate reviewed. Each
// screen keeps its own key; sign-out and sign-in forget them all, so that nothing of one
// user's work is shown to the next user of the tab.
import { useEffect, useRef, useState } from "preact/hooks";

const PREFIX = "vendorwatch.console.kept.";

function stored(key, initial) {
  try {
    const text = sessionStorage.getItem(PREFIX + key);
    return text === null ? initial : JSON.parse(text);
  } catch {
    return initial; // written by another version of the console: start afresh
  }
}

// `[value, setValue]` as useState's, `value` restored from the tab's storage when the screen
// is drawn again. It is written once drawn (an effect), never by a component no longer on
// screen: an answer arriving after sign-out is not kept for the next user; and only once
// changed, so that a screen only looked at keeps nothing.
export function useKept(key, initial) {
  const [value, setValue] = useState(() => stored(key, initial));
  const drawn = useRef(false);
  useEffect(() => {
    if (!drawn.current) {
      drawn.current = true; // as restored, or as it began: nothing to keep yet
      return;
    }
    try {
      sessionStorage.setItem(PREFIX + key, JSON.stringify(value));
    } catch {
      // Beyond the browser's quota: the screen still shows it, but it is not kept, and no
      // older one is left to be restored in its place.
      sessionStorage.removeItem(PREFIX + key);
    }
  }, [key, value]);
  return [value, setValue];
}

// Every screen's kept state forgotten (sign-out, sign-in).
export function forgetKept() {
  const keys = Array.from({ length: sessionStorage.length }, (_, index) => sessionStorage.key(index));
  for (const key of keys) if (key.startsWith(PREFIX)) sessionStorage.removeItem(key);
}
