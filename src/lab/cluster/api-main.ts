#!/usr/bin/env node
/**
 * The lab's API server process: the test API server on 127.0.0.1 (the host's kubectl, `explain` and `lab`
 * commands use it there) and the same server on a Unix socket, which processes inside the node namespaces
 * reach through a forwarder on their own 127.0.0.1:6443 (a path crosses network namespaces; nothing is
 * created in the host's network).
 *
 *   node api-main.js --kubeconfig FILE --socket PATH [--port N]
 *
 * Prints one JSON line `{"url": ..., "port": N, "pid": N}` once both listen; SIGTERM closes it.
 */
import { createConnection, createServer, type Socket } from 'node:net';
import { rmSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { start } from '../apiserver/server.js';

function splice(a: Socket, b: Socket): void {
  a.pipe(b);
  b.pipe(a);
  const end = (): void => {
    a.destroy();
    b.destroy();
  };
  a.on('error', end);
  b.on('error', end);
  a.on('close', end);
  b.on('close', end);
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string', default: '0' }, kubeconfig: { type: 'string' }, socket: { type: 'string' } },
  });
  if (values.kubeconfig === undefined || values.socket === undefined) throw new Error('--kubeconfig and --socket are required');
  const api = await start({ port: Number(values.port), host: '127.0.0.1', recordRequests: false, bookmarkIntervalMs: 30_000 });
  writeFileSync(values.kubeconfig, api.kubeconfigYaml('admin'), { mode: 0o600 });
  const socketPath = values.socket;
  rmSync(socketPath, { force: true });
  const relay = createServer((client) => splice(client, createConnection({ host: '127.0.0.1', port: api.port })));
  await new Promise<void>((resolve, reject) => {
    relay.once('error', reject);
    relay.listen(socketPath, resolve);
  });
  process.stdout.write(`${JSON.stringify({ url: api.url, port: api.port, pid: process.pid })}\n`);
  const stop = (): void => {
    relay.close();
    rmSync(socketPath, { force: true });
    void api.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`lab api server: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
