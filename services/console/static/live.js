// Live updates: GraphQL subscriptions over the API's own WebSocket (graphql-transport-ws),
// through the vendored graphql-ws client, with the user's token in connection_init. One
// connection per session, opened when a screen first subscribes; it reconnects whenever it
// closes, except when the API refuses the token (4401) or says it expired (4403): the console
// cannot renew a token, so that ends the session with the API's reason.
import { useEffect, useRef, useState } from "preact/hooks";
import { createClient } from "graphql-ws";

// The API's close codes for a token it refuses, as the codes its HTTP refusals carry.
const TOKEN_REFUSED = { 4401: "UNAUTHENTICATED", 4403: "TOKEN_EXPIRED" };
// Waits between attempts: 1 s, 2 s, 4 s… at most 15 s (a restarted API is found quickly,
// an API down for long is not hammered).
const MAX_WAIT_MS = 15000;

function waitBefore(attempt) {
  return new Promise((resolve) => setTimeout(resolve, Math.min(1000 * 2 ** attempt, MAX_WAIT_MS)));
}

// A GraphQL error of a subscription as the console shows a refusal: its message and code.
const refusal = (error) => ({ message: error.message, code: error.extensions?.code ?? null });

// `signOut(refusals)`: called once when the API refuses the token on the socket.
export function liveConnection(token, signOut) {
  const listeners = new Set();
  let status = "idle";
  const tell = (next) => {
    status = next;
    listeners.forEach((listener) => listener(next));
  };
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const client = createClient({
    url: `${scheme}//${location.host}/graphql`,
    connectionParams: { Authorization: `Bearer ${token}` },
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: waitBefore,
    on: {
      // A connection lost stays "reconnecting" until one is up again.
      connecting: () => tell(status === "reconnecting" ? "reconnecting" : "connecting"),
      connected: () => tell("connected"),
      closed: (event) => {
        if (event && event.code in TOKEN_REFUSED) {
          client.dispose();
          signOut([{ message: event.reason || `WebSocket ${event.code}`, code: TOKEN_REFUSED[event.code] }]);
        } else tell(event && event.code === 1000 ? "idle" : "reconnecting"); // 1000: none left
      },
    },
  });
  return {
    // `next(data)` for each result; `fail(refusals)` when the API refuses the subscription.
    subscribe(query, variables, next, fail) {
      return client.subscribe(
        { query, variables },
        {
          next: (result) => (result.errors ? fail(result.errors.map(refusal)) : next(result.data)),
          error: (error) =>
            fail(Array.isArray(error) ? error.map(refusal) : [{ message: String(error.reason ?? error), code: null }]),
          complete: () => {},
        },
      );
    },
    status: () => status,
    listen(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispose: () => client.dispose(),
  };
}

// The connection's state as a component sees it ("connecting", "connected", "reconnecting").
export function useLiveStatus(live) {
  const [status, setStatus] = useState(live.status());
  useEffect(() => live.listen(setStatus), [live]);
  return status;
}

// Follows `query` while the component is shown: `onData` for each result (the latest
// `onData` given, so it may read the component's current state), `onRefused` for a refusal.
// `key`: re-subscribes when it changes (other variables).
export function useSubscription(live, query, variables, key, onData, onRefused) {
  const handlers = useRef({ onData, onRefused });
  handlers.current = { onData, onRefused };
  useEffect(
    () =>
      live.subscribe(
        query,
        variables,
        (data) => handlers.current.onData(data),
        (messages) => handlers.current.onRefused(messages),
      ),
    [live, key],
  );
}

// Calls `reload` each time the connection comes (back) up: what happened while it was down
// is not replayed by the API, so a screen reads its state again.
export function useReloadOnConnect(live, reload) {
  const latest = useRef(reload);
  latest.current = reload;
  useEffect(() => live.listen((status) => status === "connected" && latest.current()), [live]);
}
