// Live updates: GraphQL subscriptions over the API's own WebSocket (graphql-transport-ws, the
// protocol the API speaks), with the user's token in connection_init. One socket per session,
// opened when a screen first subscribes; it reconnects whenever it closes (1 s, 2 s, 4 s… at
// most 15 s apart) and subscribes again, except when the API refuses the token (4401) or says
// it expired (4403): the console cannot renew a token, so that ends the session with the API's
// reason. A minimal client of the protocol's messages (connection_init/ack, subscribe, next,
// error, complete, ping/pong): what the console needs and nothing more.
import { useEffect, useRef, useState } from "preact/hooks";

const PROTOCOL = "graphql-transport-ws";
const TOKEN_REFUSED = new Set([4401, 4403]);
const MAX_WAIT_MS = 15000;

// `signOut(messages)`: called once when the API refuses the token on the socket.
export function liveConnection(token, signOut) {
  const listeners = new Set();
  // id → { query, variables, next, fail }: sent again on every (re)connection.
  const active = new Map();
  let socket = null;
  let status = "idle";
  let attempt = 0;
  let lastId = 0;
  let disposed = false;
  let retry = null;
  const tell = (next) => {
    status = next;
    listeners.forEach((listener) => listener(next));
  };
  const send = (message) => socket && socket.readyState === WebSocket.OPEN && socket.send(JSON.stringify(message));
  const start = (id) => {
    const { query, variables } = active.get(id);
    send({ id, type: "subscribe", payload: { query, variables } });
  };
  const connect = () => {
    retry = null;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(`${scheme}//${location.host}/graphql`, PROTOCOL);
    tell(attempt === 0 ? "connecting" : "reconnecting");
    socket.onopen = () => send({ type: "connection_init", payload: { Authorization: `Bearer ${token}` } });
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      const handlers = active.get(message.id);
      if (message.type === "connection_ack") {
        attempt = 0;
        tell("connected");
        active.forEach((_, id) => start(id));
      } else if (message.type === "ping") send({ type: "pong" });
      else if (message.type === "next" && handlers) {
        const { data, errors } = message.payload;
        if (errors) handlers.fail(errors.map((error) => error.message));
        else handlers.next(data);
      } else if (message.type === "error" && handlers) {
        active.delete(message.id);
        handlers.fail(message.payload.map((error) => error.message));
      } else if (message.type === "complete") active.delete(message.id);
    };
    socket.onclose = (event) => {
      socket = null;
      if (disposed) return;
      if (TOKEN_REFUSED.has(event.code)) {
        disposed = true;
        tell("idle");
        signOut([event.reason || `WebSocket ${event.code}`]);
        return;
      }
      tell("reconnecting");
      const wait = Math.min(1000 * 2 ** attempt, MAX_WAIT_MS);
      attempt += 1;
      retry = setTimeout(connect, wait);
    };
  };
  return {
    // `next(data)` for each result; `fail(messages)` when the API refuses the subscription.
    // Returns the function that ends it.
    subscribe(query, variables, next, fail) {
      lastId += 1;
      const id = String(lastId);
      active.set(id, { query, variables, next, fail });
      if (socket === null && retry === null && !disposed) connect();
      else if (status === "connected") start(id);
      return () => {
        if (active.delete(id)) send({ id, type: "complete" });
      };
    },
    status: () => status,
    listen(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispose() {
      disposed = true;
      clearTimeout(retry);
      if (socket) socket.close(1000);
    },
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
