// Colyseus 0.18 with one room type of 16 seats, the peer in matchmaker/bench/colyseus-bench.ts.
// Prints one JSON line {"event":"listening","port":N} once it accepts joinOrCreate requests.
import { Room, Server } from '@colyseus/core';
import { WebSocketTransport } from '@colyseus/ws-transport';

class Arena extends Room {
  maxClients = 16;
  onCreate() {}
  onJoin() {}
  onLeave() {}
}

const server = new Server({ transport: new WebSocketTransport(), greet: false });
server.define('arena', Arena);
await server.listen(0, '127.0.0.1');
const address = server.transport.server.address();
console.log(JSON.stringify({ event: 'listening', port: address.port }));
// Colyseus stops itself on SIGTERM (its own graceful shutdown).
