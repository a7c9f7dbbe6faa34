// The user's token: kept for this browser tab only (sessionStorage), never in localStorage,
// cookies or the address bar.

const TOKEN_KEY = "vendorwatch.console.token";
// `vendorwatch up` prints http://127.0.0.1:8000/#signin=<token> for the local admin.
const LINK_PREFIX = "#signin=";

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
