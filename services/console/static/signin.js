// Signing in with a pasted token; the one-time link of `vendorwatch up` signs in by itself.
import { useState } from "preact/hooks";
import { NO_ANSWER, NO_ANSWER_IN_TIME } from "./api.js";
import { useAttempt, Waiting } from "./attempts.js";
import { html } from "./html.js";
import { said } from "./i18n.js";

// The API's refusals (`{message, code}`, each said in the user's language) or the console's
// own messages (strings).
export function Refusal({ t, messages }) {
  if (!messages || messages.length === 0) return null;
  const unanswered = messages.every((message) => [NO_ANSWER, NO_ANSWER_IN_TIME].includes(message.code));
  return html`<div class="refusal" role="alert">
    <strong>${t(unanswered ? "api.unanswered" : "api.refused")}</strong>
    <ul>
      ${messages.map((message) => html`<li data-code=${message.code ?? null}>${said(t, message)}</li>`)}
    </ul>
  </div>`;
}

// A token refused as expired when signing in with it: no session began, so the words of a
// session ended by expiry (TOKEN_EXPIRED's, which a session's end shows) are not true of it.
function atSignIn(t, messages) {
  return messages.map((refusal) =>
    refusal.code === "TOKEN_EXPIRED" ? { ...refusal, words: t("signin.tokenExpired") } : refusal,
  );
}

function shownRefusal(t, refused, notice) {
  if (refused) return atSignIn(t, refused);
  if (!notice) return null;
  return notice.ended ? notice.messages : atSignIn(t, notice.messages);
}

// `notice`: why the last session ended (`ended`), or why the sign-in link's token was refused.
export function SignIn({ t, signIn, notice }) {
  const [token, setToken] = useState("");
  const { outcome: refused, busy, attempt, area } = useAttempt();
  const submit = async (event) => {
    event.preventDefault();
    // As pasted from a request's header ("Bearer eyJ…"): the token is what follows the scheme.
    await attempt(() => signIn(token.trim().replace(/^Bearer\s+/i, "")));
  };
  return html`<section class="signin" aria-labelledby="signin-title">
    <h2 id="signin-title">${t("signin.title")}</h2>
    <p>${t("signin.help")}</p>
    <${Refusal} t=${t} messages=${busy ? null : shownRefusal(t, refused, notice)} />
    <form onSubmit=${submit} ref=${area}>
      <label for="token">${t("signin.token")}</label>
      <textarea
        id="token"
        name="token"
        rows="4"
        required
        autocomplete="off"
        spellcheck="false"
        value=${token}
        onInput=${(event) => setToken(event.target.value)}
      ></textarea>
      <button type="submit" disabled=${busy}>${t("signin.submit")}</button>
      <${Waiting} t=${t} busy=${busy} />
    </form>
  </section>`;
}
