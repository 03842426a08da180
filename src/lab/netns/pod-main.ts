/**
 * The lab's "pod": a tiny server run inside a node namespace that answers with its node name, so a test can
 * tell which node a connection reached. Raw TCP: one line `<name> from <client address>` then close. HTTP:
 * `{"node":..., "client":...}`. Listens on `::` (IPv4 and IPv6). Prints `listening` once both are bound.
 *
 *   node pod-main.js --name node1 --tcp-port 8080 [--http-port 8081]
 */
import { createServer as createTcpServer, type Server } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { name: { type: 'string' }, 'tcp-port': { type: 'string' }, 'http-port': { type: 'string' } },
});
const name = values.name ?? 'pod';

const clientOf = (address: string | undefined): string => (address ?? '?').replace(/^::ffff:/, '');

const listen = (server: Server, port: number): Promise<void> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: '::', ipv6Only: false }, resolve);
  });

const servers: Server[] = [];
const tcp = createTcpServer((socket) => {
  socket.on('error', () => socket.destroy());
  socket.end(`${name} from ${clientOf(socket.remoteAddress)}\n`);
});
servers.push(tcp);
await listen(tcp, Number(values['tcp-port'] ?? 8080));
if (values['http-port'] !== undefined) {
  const http = createHttpServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(`${JSON.stringify({ node: name, client: clientOf(req.socket.remoteAddress) })}\n`);
  });
  servers.push(http);
  await listen(http, Number(values['http-port']));
}
process.stdout.write('listening\n');
process.on('SIGTERM', () => {
  for (const s of servers) s.close();
  process.exit(0);
});
