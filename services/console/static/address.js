import { useEffect, useState } from "preact/hooks";

// A list screen's filters in its address, after its route (`#/risk?agency=税務課&band=HIGH`,
// `#/migration?status=OPEN`): what a list is narrowed to is a view a user goes Back to,
// reloads, bookmarks or passes on, and held in the screen's state it was gone on each of
// these. Only what is neither private nor large goes there (screening's lists stay in the
// tab's storage, kept.js).
export function filtersLink(route, filters) {
  const given = Object.entries(filters).filter(([, value]) => value);
  return given.length ? `#/${route}?${new URLSearchParams(given)}` : `#/${route}`;
}

// The filters an address's query names (the part after "?"), each as a string.
export function filtersOf(query) {
  return Object.fromEntries(new URLSearchParams(query));
}

// A screen's one field kept in its address (`#/vendors/<search>`, `#/event-status/<id>`):
// typed freely, sent by changing the address, so that Back finds it and it can be bookmarked;
// the same value sent again is read again (`read.reload`: the record may have changed), no new
// entry. `linkOf(value)`: the address showing `value`. Gives [typed, setTyped, submit].
export function useAddressedField(argument, linkOf, read) {
  const [typed, setTyped] = useState(argument);
  useEffect(() => setTyped(argument), [argument]);
  const submit = (event) => {
    event.preventDefault();
    if (typed.trim() === argument) read.reload();
    else location.hash = linkOf(typed.trim());
  };
  return [typed, setTyped, submit];
}
