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

// The code of no answer in time: the API gives up on a request after 30 s (504, `TIMEOUT`),
// so one unanswered a little after that never will be (the server stopped, a network that
// drops everything); without a limit the screen waited for good, its button disabled.
export const NO_ANSWER_IN_TIME = "NO_ANSWER_IN_TIME";
export const ANSWER_WAIT_SECONDS = 35;

function unanswered(error) {
  if (error.name === "TimeoutError") {
    const message = `no answer from the API in ${ANSWER_WAIT_SECONDS} s`;
    return new ApiRefusal([{ message, code: NO_ANSWER_IN_TIME }], 0);
  }
  return new ApiRefusal([{ message: `no answer from the API (${error.message})`, code: NO_ANSWER }], 0);
}

// `fetch`, with no answer at all (the network, the server down) or none in time a refusal like
// the others, which every screen says in the user's language, rather than a page left
// "Loading…" and a button left busy. The limit is on the answer's start (its status and
// headers): a large export may take longer to arrive over a slow network.
export async function reach(url, init) {
  const controller = new AbortController();
  const late = setTimeout(
    () => controller.abort(new DOMException("no answer in time", "TimeoutError")),
    ANSWER_WAIT_SECONDS * 1000,
  );
  try {
    return await fetch(url, { ...init, signal: controller.signal });
  } catch (error) {
    throw unanswered(error);
  } finally {
    clearTimeout(late);
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
