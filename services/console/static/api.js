// The console's only way to data: the public GraphQL API, with the user's bearer token.

export class ApiRefusal extends Error {
  // `status`: the HTTP status (401: the token was refused, the session is over).
  constructor(messages, status) {
    super(messages.join("; "));
    this.messages = messages;
    this.status = status;
  }
}

function messagesOf(body) {
  const errors = (body && body.errors) || [];
  return errors.map((error) => {
    const path = error.path ? ` (${error.path.join(".")})` : "";
    return `${error.message}${path}`;
  });
}

export async function graphql(token, query, variables = {}) {
  const response = await fetch("/graphql", {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/graphql-response+json, application/json",
      Authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ query, variables }),
  });
  let body = null;
  try {
    body = await response.json();
  } catch {
    throw new ApiRefusal([`HTTP ${response.status}`], response.status);
  }
  const messages = messagesOf(body);
  if (messages.length > 0 || !response.ok) {
    throw new ApiRefusal(messages.length ? messages : [`HTTP ${response.status}`], response.status);
  }
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
