// Vendors' legal names for a list that names vendors by id alone (an alert names its vendor's
// id): one request of aliased `vendor` fields, at most as many as the API allows aliases (30).
export const MOST_NAMED = 25;

function namesQuery(count) {
  const variables = Array.from({ length: count }, (_, i) => `$v${i}: ID!`).join(", ");
  const fields = Array.from({ length: count }, (_, i) => `v${i}: vendor(vendorId: $v${i}) { legalName }`);
  return `query ConsoleVendorNames(${variables}) { ${fields.join(" ")} }`;
}

// vendor id → legal name (a vendor the API does not know has none) for the first MOST_NAMED
// distinct ids; the others are shown by id.
export async function vendorNames(api, vendorIds) {
  const ids = [...new Set(vendorIds)].slice(0, MOST_NAMED);
  if (ids.length === 0) return new Map();
  const answer = await api(namesQuery(ids.length), Object.fromEntries(ids.map((id, i) => [`v${i}`, id])));
  return new Map(ids.map((id, i) => [id, answer[`v${i}`]?.legalName ?? null]));
}
