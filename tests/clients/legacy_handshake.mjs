// A WebSocket upgrade offering only the legacy `graphql-ws` subprotocol (what
// subscriptions-transport-ws clients offer), through the `ws` library graphql-ws runs on.
// Argument: the ws:// URL. Prints the handshake's answer as JSON: status, content type, body;
// or {"opened": protocol} if the server let it in.
import WebSocket from 'ws';

const socket = new WebSocket(process.argv[2], 'graphql-ws');
socket.on('unexpected-response', (_request, response) => {
  let body = '';
  response.on('data', (chunk) => (body += chunk));
  response.on('end', () => {
    const contentType = response.headers['content-type'];
    console.log(JSON.stringify({ status: response.statusCode, contentType, body }));
    process.exit(0);
  });
});
socket.on('open', () => {
  console.log(JSON.stringify({ opened: socket.protocol }));
  process.exit(0);
});
socket.on('error', (error) => {
  console.log(JSON.stringify({ error: String(error) }));
  process.exit(0);
});
