// Acknowledging an alert with a note (acknowledgeAlert): once, for its agency; the API refuses
// a second one (`already_acknowledged`, saying who and when) and an alert the caller does not
// see, in words above the button; a note it refuses (a control character) at the note. The
// receipt waits for the alerts service, so the alert reads acknowledged when it answers.
// A role that may read alerts but not acknowledge them sees the form disabled, with why.
import { useState } from "preact/hooks";
import { useAttempt } from "./attempts.js";
import { Field, Outcome, RECEIPT, record } from "./fields.js";
import { html } from "./html.js";
import { Locked } from "./readonly.js";

const ACKNOWLEDGE = `mutation ConsoleAcknowledgeAlert($alertId: ID!, $note: String, $idempotencyKey: String) {
  acknowledgeAlert(alertId: $alertId, note: $note, idempotencyKey: $idempotencyKey, waitForProcessing: true) {
    ${RECEIPT}
  }
}`;
const NAMES = ["note"];

// `acknowledged(alertId)`: called once the alerts service applied it (the screen reads the
// alert again).
export function AcknowledgeForm({ session, alert, acknowledged }) {
  const { t, api, may, role } = session;
  const form = `acknowledge-${alert.alertId}`;
  const [note, setNote] = useState("");
  const { outcome, busy, attempt, area } = useAttempt();
  const submit = async (event) => {
    event.preventDefault();
    const values = { alertId: alert.alertId, note: note.trim() || null };
    const result = await attempt((key) => record(api, ACKNOWLEDGE, values, NAMES, key), values);
    if (result.receipt?.accepted && !result.receipt.processing?.refusedBy.length) acknowledged(alert.alertId);
  };
  const closed = may(["acknowledgeAlert"]) ? null : t("alerts.readOnly", { role: t(`role.${role}`) });
  return html`<details class="acknowledge">
    <summary>${t("alerts.acknowledge")}</summary>
    <${Locked} session=${session} mutation="acknowledgeAlert" id=${form} closed=${closed}>
      <form id=${form} class="acknowledge-form" onSubmit=${submit} ref=${area}>
        <${Field} t=${t} form=${form} name="note" label=${t("alerts.noteLabel")} kind="textarea" value=${note} set=${(_, value) => setNote(value)} errors=${outcome?.byField} />
        <button type="submit" disabled=${busy}>${t("alerts.acknowledgeButton")}</button>
        <${Outcome} t=${t} outcome=${outcome} busy=${busy} />
      </form>
    <//>
  </details>`;
}
