// A bidder list as officers have it (pasted lines, or a CSV of corporate numbers and/or names)
// into screenBidders' input, and its result back into a CSV file.

// A cell that is only digits once spaces, hyphens and full-width forms are set aside is a
// corporate number (the API checks it and answers INVALID, with why, when it is not one).
function asCorporateNumber(cell) {
  const folded = cell.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
  const digits = folded.replace(/[\s\-－‐]/g, "");
  return /^\d+$/.test(digits) ? digits : null;
}

// RFC 4180 records (a CSV file's, or a list whose first line is a header row): quoted cells may hold commas, quotes ("") and line breaks. A quote opens
// a quoted cell only where the cell starts: inside a name (O"Neil, Toys "R" Us, חברת בע"מ) it
// is the name's, or one stray quote would run every line after it into one bidder.
export function csvRecords(text) {
  const records = [];
  let record = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell.trim() === "") {
      quoted = true;
      cell = "";
    } else if (c === ",") {
      record.push(cell);
      cell = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      record.push(cell);
      records.push(record);
      record = [];
      cell = "";
    } else cell += c;
  }
  if (cell !== "" || record.length) records.push([...record, cell]);
  return records.map((cells) => cells.map((value) => value.trim()));
}

const NUMBER_HEADERS = ["corporate_number", "corporate number", "法人番号"];
const NAME_HEADERS = ["name", "名称", "商号", "商号又は名称", "事業者名"];
const COUNTRY_HEADERS = ["country", "国"];
const ADDRESS_HEADERS = ["address", "所在地", "住所"];

function column(header, names) {
  return header.findIndex((cell) => names.includes(cell.toLowerCase()));
}

// The columns a header row names, or null when the row names neither a corporate number nor
// a name (it is then no header).
function headerColumns(header) {
  const columns = {
    number: column(header, NUMBER_HEADERS),
    name: column(header, NAME_HEADERS),
    country: column(header, COUNTRY_HEADERS),
    address: column(header, ADDRESS_HEADERS),
  };
  return columns.number >= 0 || columns.name >= 0 ? columns : null;
}

// A bidder from what one line or row gives: a corporate number when it has one, else a name
// (with the country and address a CSV's columns give).
function bidder(ref, number, name, extra = {}) {
  const corporate = number ? (asCorporateNumber(number) ?? number) : null;
  if (corporate) return { ref, identifier: { scheme: "corporate_number", value: corporate } };
  return { ref, name, ...extra };
}

// How a bidder list is read, decided by where it came from and its first line, and said on
// the screen beside it:
// - "header": a CSV whose first line names its columns (法人番号 / corporate_number, 名称 /
//   name, country, address), pasted or uploaded: a row's corporate number when it has one,
//   else its name;
// - "csv": an uploaded .csv file without such a line: each row's first cell, a corporate
//   number when it is only digits, else a name;
// - "lines": anything else pasted or typed: one bidder a line, the whole line. Read as CSV, a
//   name cut at its first comma ("WATER, ELECTRIC AND MECHANICAL … JSC" went out as "WATER",
//   "B Solutions Co., Ltd." as "B Solutions Co."), and names with commas are common.
// Each bidder's ref is "line N", the line of the text it came from.
export function readBidders(text, csvFile = false) {
  const body = text.replace(/^\uFEFF/, "");
  const lines = body.split(/\r\n|\n|\r/);
  const columns = headerColumns(csvRecords(lines[0])[0] ?? []);
  const format = columns ? "header" : csvFile ? "csv" : "lines";
  const rows = format === "lines" ? lines.map((line) => [line.trim()]) : csvRecords(body);
  const bidders = [];
  rows.forEach((cells, index) => {
    if ((columns && index === 0) || cells.every((cell) => cell === "")) return;
    const ref = `line ${index + 1}`;
    if (!columns) {
      bidders.push(bidder(ref, asCorporateNumber(cells[0]), cells[0]));
      return;
    }
    const extra = {};
    if (cells[columns.country]) extra.country = cells[columns.country];
    if (cells[columns.address]) extra.address = cells[columns.address];
    bidders.push(bidder(ref, cells[columns.number], cells[columns.name] ?? "", extra));
  });
  return { format, bidders };
}

// What the officer gave for a bidder, as one cell.
export function bidderInput(bidder) {
  if (bidder.identifier) return bidder.identifier.value;
  return bidder.vendorId ?? bidder.name;
}

// As services/platform/spreadsheet_cells.py does for the API's own CSV: a cell a
// spreadsheet would run as a formula is written with a leading apostrophe.
function cell(value) {
  let text = value == null ? "" : String(value);
  if (/^[=+\-@\t\r']/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

// Its bar's days: from the bar's own first day (later than the sanction's through an
// affiliation that began later, or after a gap: "resumed") to its last.
function reasonText(reason) {
  const resumed = reason.resumed ? " resumed" : "";
  const period = `${reason.barsFrom ?? reason.startsOn}..${reason.endsOn ?? ""}${resumed}`;
  const via = reason.viaVendorId ? ` via ${reason.viaVendorId}` : "";
  return `${reason.sanctionId} ${reason.kind} ${reason.authority} ${period}${via}`;
}

// A possible match as the screen shows it: the name it matched, whether it may bid on the
// day, the sanctions barring it (each with its last day), when it may bid again and the bars
// already recorded to come. The file said only the name and score, so a candidate barred
// until next year read like one free to bid.
function candidateText(candidate) {
  const said = [
    `${candidate.vendorId} ${candidate.score} ${candidate.matchedName} (${candidate.matchedKind})`,
    candidate.eligible ? "eligible" : "barred",
  ];
  if (candidate.reasons.length) said.push(`by ${candidate.reasons.map(reasonText).join(", ")}`);
  if (candidate.eligibleAgainOn) said.push(`eligible again on ${candidate.eligibleAgainOn}`);
  if (candidate.upcoming.length) said.push(`bars to come ${candidate.upcoming.map(reasonText).join(", ")}`);
  return said.join("; ");
}

export const RESULT_COLUMNS = [
  "ref",
  "input",
  "status",
  "as_of",
  "vendor_id",
  "eligible_again_on",
  "reasons",
  "bars_to_come",
  "candidates",
  "error",
];

// The day the answers are for, as the registry read it (its today when none was asked); null
// when no bidder could be judged (all invalid or unknown), the day asked then known only as
// typed (令和元年5月1日).
export function answeredDay(results) {
  return results.find((result) => result.eligibility)?.eligibility.asOf ?? null;
}

// The screening's result as CSV (UTF-8 with a byte-order mark, so that spreadsheets read
// Japanese names right), one row per bidder in the order given, each with the day it answers
// for (a file kept or passed on must say it) and what the screen says of it.
export function resultCsv(bidders, results, asked) {
  const day = answeredDay(results) ?? asked.asOf ?? ""; // a file must say its day
  const rows = results.map((result, index) => {
    const eligibility = result.eligibility;
    return [
      result.ref,
      bidderInput(bidders[index]),
      result.status,
      day,
      result.vendorId,
      eligibility?.eligibleAgainOn,
      (eligibility?.reasons ?? []).map(reasonText).join(" | "),
      (eligibility?.upcoming ?? []).map(reasonText).join(" | "),
      result.candidates.map(candidateText).join(" | "),
      result.error,
    ];
  });
  const lines = [RESULT_COLUMNS, ...rows].map((row) => row.map(cell).join(","));
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}
