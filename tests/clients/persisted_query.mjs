// Automatic persisted queries through Apollo Client's own PersistedQueryLink (the protocol's
// reference client), hashed queries sent by GET. Argument: JSON {url, token, query}.
// Asks the query twice (no cache) and prints every HTTP exchange the link made, in order:
// method, whether the request carried the query text and the hash, status, response body.
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { createHash } from 'node:crypto';

const { url, token, query } = JSON.parse(process.argv[2]);
const exchanges = [];

async function recordingFetch(uri, options) {
  const params = new URL(uri).searchParams;
  const sent = options.method === 'GET'
    ? { query: params.get('query') ?? undefined, extensions: JSON.parse(params.get('extensions')) }
    : JSON.parse(options.body);
  const response = await fetch(uri, options);
  const body = await response.clone().json();
  exchanges.push({
    method: options.method,
    hasQuery: typeof sent.query === 'string',
    hash: sent.extensions?.persistedQuery?.sha256Hash ?? null,
    status: response.status,
    body,
  });
  return response;
}

const persisted = new PersistedQueryLink({
  sha256: (text) => createHash('sha256').update(text).digest('hex'),
  useGETForHashedQueries: true,
});
const client = new ApolloClient({
  link: persisted.concat(
    new HttpLink({ uri: url, fetch: recordingFetch, headers: { authorization: `Bearer ${token}` } }),
  ),
  cache: new InMemoryCache(),
});

const answers = [];
for (let i = 0; i < 2; i += 1) {
  const { data } = await client.query({ query: gql(query), fetchPolicy: 'no-cache' });
  answers.push(data);
}
console.log(JSON.stringify({ answers, exchanges }));
