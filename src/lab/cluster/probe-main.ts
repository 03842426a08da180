#!/usr/bin/env node
/**
 * A client that asks a lab Service which node answers, over and over, each time on a new connection (so a
 * moved address is followed at once): one JSON line per attempt, `{"t": epochMs, "node": "node2"}` or
 * `{"t": epochMs, "error": "timeout"}`, until SIGTERM. Run inside the client (or outside) namespace:
 *
 *   node probe-main.js --url http://10.200.0.10/ [--interval-ms 20] [--timeout-ms 200]
 */
import { request } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { url: { type: 'string' }, 'interval-ms': { type: 'string', default: '20' }, 'timeout-ms': { type: 'string', default: '200' } } });
const url = values.url ?? '';
const intervalMs = Number(values['interval-ms']);
const timeoutMs = Number(values['timeout-ms']);
const now = (): number => performance.timeOrigin + performance.now();

function once(): Promise<{ node?: string; error?: string }> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => {
        try {
          resolve({ node: (JSON.parse(body) as { node?: string }).node ?? '?' });
        } catch {
          resolve({ error: 'bad answer' });
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.end();
  });
}

let running = true;
process.on('SIGTERM', () => { running = false; });
while (running) {
  const t = now();
  const answer = await once();
  process.stdout.write(`${JSON.stringify({ t, ...answer })}\n`);
  const wait = intervalMs - (now() - t);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
process.exit(0);
