#!/usr/bin/env node
/**
 * The test API server as a long-lived process (the lab runs it so; benchmarks run it apart from the
 * controller they measure):
 *
 *   node dist/src/lab/apiserver/cli.js [--port 6443] [--host 127.0.0.1] [--kubeconfig FILE] [--crd-dir DIR]
 *
 * Prints one JSON line `{"url": "...", "pid": N}` on stdout once it listens; SIGTERM or SIGINT close it.
 * Fault hooks are reachable over HTTP under /__testserver/ (see docs/test-apiserver.md).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { start } from './server.js';

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      kubeconfig: { type: 'string' },
      'crd-dir': { type: 'string' },
      'bookmark-interval-ms': { type: 'string' },
    },
  });
  const server = await start({
    port: Number(values.port), host: values.host, recordRequests: false,
    ...(values['crd-dir'] === undefined ? {} : { crdDir: values['crd-dir'] }),
    ...(values['bookmark-interval-ms'] === undefined ? {} : { bookmarkIntervalMs: Number(values['bookmark-interval-ms']) }),
  });
  if (values.kubeconfig !== undefined) writeFileSync(values.kubeconfig, server.kubeconfigYaml('admin'), { mode: 0o600 });
  process.stdout.write(`${JSON.stringify({ url: server.url, pid: process.pid })}\n`);
  const stop = (): void => { void server.close().then(() => process.exit(0)); };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`test apiserver: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
