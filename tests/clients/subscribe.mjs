// One subscription through the reference graphql-ws client (on the `ws` WebSocket), as an
// integrator would open it. Driven by tests/support/node_clients.py.
//
// Argument: JSON {url, tokens, query, variables, retryAttempts}. `tokens` are handed out one
// per connection attempt (the last one again once they run out), as a client that renews
// its token when it reconnects would. Prints one JSON line per thing the client reports
// (connecting, connected, closed with code and reason, next, error, complete) and exits when
// the subscription ends.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const { url, tokens, query, variables = {}, retryAttempts = 0 } = JSON.parse(process.argv[2]);
const say = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
let attempt = 0;

const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: () => ({ Authorization: `Bearer ${tokens[Math.min(attempt++, tokens.length - 1)]}` }),
  retryAttempts,
  retryWait: () => new Promise((resolve) => setTimeout(resolve, 100)),
  on: {
    connecting: (isRetry) => say({ event: 'connecting', isRetry }),
    connected: (_socket, _payload, wasRetry) => say({ event: 'connected', wasRetry }),
    closed: (closed) => say({ event: 'closed', code: closed.code, reason: closed.reason }),
  },
});

client.subscribe(
  { query, variables },
  {
    next: (payload) => say({ event: 'next', payload }),
    error: (error) =>
      say({ event: 'error', code: error?.code ?? null, reason: error?.reason ?? String(error) }),
    complete: () => say({ event: 'complete' }),
  },
);
