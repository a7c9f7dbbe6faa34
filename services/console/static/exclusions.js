// The registry's exclusions export (GET /exports/exclusions.{csv|json|ftm}?asOf=…, the HTTP
// form of `vendorwatch export exclusions`), downloaded for another system. Its roles are the
// API's eligibility checkers, those of screenBidders, so it sits on the screening screen, and
// its format and day are kept for the tab as the screening's conditions are (kept.js): a form
// of that screen to download with, not a view of its own to bookmark, they went back to
// today's CSV whenever the officer came Back from a vendor.
import { DownloadButton } from "./downloads.js";
import { Field, fieldSetter } from "./fields.js";
import { html } from "./html.js";
import { useKept } from "./kept.js";

const FORMATS = ["csv", "json", "ftm"];

// The export's path: the format, and the day it answers for (the API's today when empty).
function exclusionsPath(format, asOf) {
  const day = asOf.trim();
  return `/exports/exclusions.${format}${day ? `?asOf=${encodeURIComponent(day)}` : ""}`;
}

export function ExclusionsExport({ session }) {
  const { t } = session;
  const [values, setValues] = useKept("screening.exclusions", { format: "csv", asOf: "" });
  const set = fieldSetter(setValues);
  const formats = FORMATS.map((format) => [format, t(`exclusions.format.${format}`)]);
  return html`<section aria-labelledby="exclusions-title" class="exclusions">
    <h3 id="exclusions-title">${t("exclusions.title")}</h3>
    <p>${t("exclusions.help")}</p>
    <div class="form-grid">
      <${Field} t=${t} form="exclusions" name="format" label=${t("exclusions.formatLabel")} kind="select" options=${formats} value=${values.format} set=${set} />
      <${Field} t=${t} form="exclusions" name="asOf" label=${t("exclusions.asOf")} hint=${t("screening.asOfHint")} value=${values.asOf} set=${set} />
    </div>
    <${DownloadButton} session=${session} kind="exclusions" path=${exclusionsPath(values.format, values.asOf)} label=${t("exclusions.download")} />
  </section>`;
}
