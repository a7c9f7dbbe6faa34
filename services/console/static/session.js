// The user's token: kept for this browser tab only (sessionStorage), never in localStorage,
// cookies or the address bar; and the session's end when the token expires.
import { useEffect } from "preact/hooks";

const TOKEN_KEY = "vendorwatch.console.token";
// `vendorwatch up` prints http://127.0.0.1:8000/#signin=<token> for the local admin.
export const LINK_PREFIX = "#signin=";

export function storedToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function keepToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

// The token of a sign-in link, taken out of the address bar (and so out of the history
// entry) before anything else runs; null when the page was not opened by such a link.
export function takeLinkToken() {
  if (!location.hash.startsWith(LINK_PREFIX)) return null;
  const token = decodeURIComponent(location.hash.slice(LINK_PREFIX.length));
  history.replaceState(null, "", location.pathname + location.search);
  return token || null;
}

// The token's claims (role, sub, agencies, exp), read for display only: the API verifies
// the token on every request. Null for a token that is not a readable JWT.
export function claims(token) {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  try {
    const base64 = parts[1].replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}

// How soon to ask the API again while it still accepts a token past its `exp` (the clock
// skew it allows), or could not be reached; and the longest wait a browser timer takes.
const RECHECK_MS = 5000;
const MAX_TIMER_MS = 2 ** 31 - 1;

// Ends the session when its token does, even on a screen that sends nothing: at the token's
// `exp` the console asks the API (`check`, a request that signs out on a 401, with the API's
// reason and code, said in the user's language). The API decides, not the console's clock:
// while it still accepts the token, the console asks again a few seconds later.
export function useTokenEnd(token, check) {
  useEffect(() => {
    const exp = claims(token)?.exp;
    if (typeof exp !== "number") return undefined;
    let timer;
    let ended = false; // a check answered after the session ended schedules nothing
    const schedule = (wait) => {
      if (!ended) timer = setTimeout(tick, Math.min(Math.max(wait, 0), MAX_TIMER_MS));
    };
    function tick() {
      const left = exp * 1000 - Date.now();
      if (left > 0) return schedule(left);
      check().then(
        () => schedule(RECHECK_MS),
        (error) => error.status !== 401 && schedule(RECHECK_MS),
      );
    }
    tick();
    return () => {
      ended = true;
      clearTimeout(timer);
    };
  }, [token]);
}
