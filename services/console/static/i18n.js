// The user's language (English or Japanese, remembered in localStorage) and dates: ISO
// always, with the Japanese era date beside it in Japanese (2022-11-28 令和4年11月28日).
import { html } from "./html.js";

// Every label and message in both languages (tests check both have the same keys).
const MESSAGES = await (await fetch("/console/messages.json")).json();

const LANGUAGE_KEY = "vendorwatch.console.language";
export const LANGUAGES = ["en", "ja"];

export function storedLanguage() {
  const kept = localStorage.getItem(LANGUAGE_KEY);
  if (LANGUAGES.includes(kept)) return kept;
  return navigator.language.startsWith("ja") ? "ja" : "en";
}

export function keepLanguage(language) {
  localStorage.setItem(LANGUAGE_KEY, language);
  document.documentElement.lang = language;
}

// t("screening.results", {count: 3}): the message in `language`, {name}s filled in. A key
// missing from a language is a bug: it shows as the key, never as the other language.
// `fallback`: what to show for a key of open-ended data (an identifier scheme the console
// has no label for), shown as the API gives it. A count of one takes the key's `@one` form
// when it has one ("Result: 1 bidder"): English and Japanese have no other plural forms.
export function translator(language) {
  const messages = MESSAGES[language];
  return (key, values = {}, fallback = key) => {
    const message = (values.count === 1 && messages[`${key}@one`]) || messages[key];
    return (message ?? fallback).replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
  };
}

// A refusal of the API as the user reads it: its code's words in the user's language, when
// the console has them (`apiError.<code>`: a receipt's field error codes and the request
// codes of GraphQL errors and HTTP refusals), then the API's message, which is English and
// keeps the details (days, ids, sanctions). A refusal the console made itself is a string;
// `words`, where the console says a code otherwise in that place (a token expired at sign-in).
export function said(t, refusal) {
  if (typeof refusal === "string") return refusal;
  const { message, code } = refusal;
  const words = refusal.words ?? (code ? t(`apiError.${code}`, {}, "") : "");
  return words ? `${words} — ${message}` : message;
}

// A score or points (a search's 0–100, a risk score) as every screen shows it: one decimal.
export const oneDecimal = (value) => value.toFixed(1);

// An amount (the API's string of digits, which may pass 2^53) with its digits grouped in the
// user's language, then its currency's code: "128,000,000 JPY". Intl reads a string as an
// exact decimal, so no digit is lost to a float.
export const amountText = (amount, currency, language) =>
  `${new Intl.NumberFormat(language).format(amount)} ${currency}`;

// Intl's Japanese calendar (Chromium ships ICU's eras): 令和4年11月28日, 令和元年5月1日.
const ERA = new Intl.DateTimeFormat("ja-JP-u-ca-japanese", {
  era: "long",
  year: "numeric",
  month: "long",
  day: "numeric",
  timeZone: "UTC",
});

export function eraDate(iso) {
  const [year, month, day] = iso.split("-").map(Number);
  return ERA.format(new Date(Date.UTC(year, month - 1, day)));
}

// A calendar day as plain text, as DateText shows it: "2022-11-28", in Japanese
// "2022-11-28 令和4年11月28日" (for a message that holds the day).
export const dayText = (iso, language) => (language === "ja" ? `${iso} ${eraDate(iso)}` : iso);

// A calendar day as the API returns it (ISO, no time zone).
export function DateText({ iso, language }) {
  if (!iso) return null;
  const day = iso.slice(0, 10);
  return html`<time datetime=${day}>${day}</time>${language === "ja"
      ? html` <span class="era">${eraDate(day)}</span>`
      : null}`;
}

// An instant (recordedAt, occurredAt): the ISO day with its era, then the time in UTC.
export function InstantText({ iso, language }) {
  if (!iso) return null;
  const utc = new Date(iso).toISOString();
  return html`<${DateText} iso=${utc} language=${language} /> <span class="time"
      >${utc.slice(11, 19)} UTC</span>`;
}
