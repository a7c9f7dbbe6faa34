// Files the API serves over HTTP behind the token (a plan's CSV and Gantt SVG, the exclusions
// export): fetched with the Authorization header and saved from memory. The token never goes
// into a URL, where history, logs and proxies would keep it, so a plain link cannot do.
import { useState } from "preact/hooks";
import { ApiRefusal, reach, refusalOf } from "./api.js";
import { html } from "./html.js";
import { Refusal } from "./signin.js";

// The file's name as the server gives it (Content-Disposition: …; filename="…").
const FILENAME = /filename="([^"]+)"/;

// GET `path` with the token: the body and the file name the server gives it (else the path's).
export async function fetchFile(token, path) {
  const response = await reach(path, { headers: { Authorization: `Bearer ${token}` } });
  if (!response.ok) throw await refusalOf(response);
  const named = FILENAME.exec(response.headers.get("Content-Disposition") ?? "");
  const filename = named ? named[1] : path.slice(path.lastIndexOf("/") + 1).split("?")[0];
  return { blob: await response.blob(), filename };
}

// A file made or fetched in the page, saved by the browser under `filename`.
export function saveBlob(blob, filename) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  link.click();
  URL.revokeObjectURL(link.href);
}

// A button that downloads `path` (session.download: with the token) and saves it; a refusal is
// shown below it in the user's language.
export function DownloadButton({ session, path, label, kind }) {
  const { t, download } = session;
  const [state, setState] = useState({ busy: false, refused: null });
  const save = async () => {
    setState({ busy: true, refused: null });
    try {
      const { blob, filename } = await download(path);
      saveBlob(blob, filename);
      setState({ busy: false, refused: null });
    } catch (error) {
      if (!(error instanceof ApiRefusal)) throw error;
      setState({ busy: false, refused: error.messages });
    }
  };
  return html`<div class="download">
    <button type="button" data-download=${kind} disabled=${state.busy} onClick=${save}>${label}</button>
    <${Refusal} t=${t} messages=${state.refused} />
  </div>`;
}
