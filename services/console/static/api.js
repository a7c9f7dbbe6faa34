// The console's only way to data: the public GraphQL API, with the user's bearer token.

export class ApiRefusal extends Error {
  // `messages`: the refusals, each `{message, code}` (the API's English message and its
  // `extensions.code`, which the console says in the user's language); `status`: the HTTP
  // status (401: the token was refused, the session is over).
  constructor(messages, status) {
    super(messages.map((refusal) => refusal.message).join("; "));
    this.messages = messages;
    this.status = status;
  }
}

// The code of a refusal that came without one, by its HTTP status: a proxy in front of the
// API (rate limits, a restart) answers in its own words, or in none.
const STATUS_CODES = {
  400: "BAD_REQUEST",
  401: "UNAUTHENTICATED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  413: "REQUEST_TOO_LARGE",
  429: "RATE_LIMITED",
  502: "UNAVAILABLE",
  503: "UNAVAILABLE",
  504: "TIMEOUT",
};

// The code of no answer at all (the network, the server down): the console's own.
export const NO_ANSWER = "UNREACHABLE";

function statusCode(status) {
  return STATUS_CODES[status] ?? (status >= 500 ? "INTERNAL" : null);
}

function refusalsOf(body, status) {
  const errors = (body && body.errors) || [];
  return errors.map((error) => {
    const path = error.path ? ` (${error.path.join(".")})` : "";
    const code = error.extensions?.code ?? (status >= 400 ? statusCode(status) : null);
    return { message: `${error.message}${path}`, code };
  });
}

// The refusal a response that is not OK carries: the API's errors with their codes (every
// HTTP refusal of the API is GraphQL JSON, the exports' too); a body that is not is said by
// its status.
export async function refusalOf(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  const refusals = refusalsOf(body, response.status);
  const said = refusals.length ? refusals : [{ message: `HTTP ${response.status}`, code: statusCode(response.status) }];
  return new ApiRefusal(said, response.status);
}

// `fetch`, with no answer at all (the network, the server down) a refusal like the others,
// which every screen says in the user's language, rather than a page left "Loading…" and a
// button left busy.
export async function reach(url, init) {
  try {
    return await fetch(url, init);
  } catch (error) {
    throw new ApiRefusal([{ message: `no answer from the API (${error.message})`, code: NO_ANSWER }], 0);
  }
}

export async function graphql(token, query, variables = {}) {
  const response = await reach("/graphql", {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/graphql-response+json, application/json",
      Authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ query, variables }),
  });
  if (!response.ok) throw await refusalOf(response);
  let body = null;
  try {
    body = await response.json();
  } catch {
    throw new ApiRefusal([{ message: `HTTP ${response.status}: not a GraphQL answer`, code: null }], response.status);
  }
  const refusals = refusalsOf(body, response.status);
  if (refusals.length > 0) throw new ApiRefusal(refusals, response.status);
  return body.data;
}

// Which queries the API restricts to which roles, and which roles may use each mutation
// (from the API's own permission matrix): root field → roles, queries and mutations alike.
export async function accessRules() {
  const response = await fetch("/console/access.json");
  const { queries, mutations } = await response.json();
  return { ...queries, ...mutations };
}

// May `role` use every root field in `fields`? A query the API does not restrict is open.
export function mayUse(rules, role, fields) {
  return fields.every((field) => !(field in rules) || rules[field].includes(role));
}
