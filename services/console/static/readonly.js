// Controls of a mutation the user's role may not use (an auditor reading a plan): they stay on
// the page, so the reader sees what the owner works with, but disabled inside a fieldset, which
// disables every control it holds, and described by why. The API would refuse them anyway;
// the console says so before anyone tries.
import { html } from "./html.js";

// `closed`: why nobody may use them now, whatever the role (a withdrawn plan's items).
export function Locked({ session, mutation, id, children, closed = null }) {
  const { t, may, role } = session;
  if (closed === null && may([mutation])) return children;
  const why = `${id}-locked`;
  return html`<div class="locked" data-locked=${mutation}>
    <fieldset disabled aria-describedby=${why}>${children}</fieldset>
    <p class="read-only" id=${why}>${closed ?? t("readOnly.reason", { role: t(`role.${role}`) })}</p>
  </div>`;
}
