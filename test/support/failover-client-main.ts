/**
 * The failover client (anchors.md §1's method): inside the client namespace, TCP connects to the VIP with a
 * 50 ms connect timeout and a 50 ms read timeout, one attempt 10 ms after the previous one ends, forever.
 * Each attempt prints one line: `<epoch ms, µs precision> <node that answered>` or `<epoch ms> -` on failure.
 * Epoch ms is `performance.timeOrigin + performance.now()`, comparable across processes on one machine.
 *
 *   node failover-client-main.js --ip 10.200.0.10 --port 8080
 */
import { connect } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { ip: { type: 'string' }, port: { type: 'string', default: '8080' }, gap: { type: 'string', default: '10' } } });
const ip = values.ip ?? '10.200.0.10';
const port = Number(values.port);
const gapMs = Number(values.gap);
const now = (): number => performance.timeOrigin + performance.now();

function attempt(): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: ip, port });
    let answer = '';
    let settled = false;
    const done = (value: string | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    // 50 ms to connect, then 50 ms to read the answer.
    let timer = setTimeout(() => done(undefined), 50);
    socket.once('connect', () => {
      clearTimeout(timer);
      timer = setTimeout(() => done(undefined), 50);
    });
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('utf8');
      if (answer.includes('\n')) done(answer.split(' ')[0]);
    });
    socket.once('error', () => done(undefined));
    socket.once('end', () => done(answer === '' ? undefined : answer.split(' ')[0]));
  });
}

for (;;) {
  const node = await attempt();
  process.stdout.write(`${now().toFixed(3)} ${node ?? '-'}\n`);
  await new Promise((resolve) => setTimeout(resolve, gapMs));
}
