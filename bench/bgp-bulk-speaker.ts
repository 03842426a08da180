/**
 * Our speaker for the bulk-advertisement bench, as its own process inside the node namespace: it prepares N /32
 * advertisements (10.200.0.0 + i), declares them, then starts one eBGP session to the receiver. It prints
 * "ready" once the desired set is in place and stays until SIGTERM.
 *   argv: N receiverAddress
 */
import { createLogger, silentLogger } from '../src/lib/logger.js';
import { systemClock } from '../src/lib/clock.js';
import { TcpBgpDialer } from '../src/net/bgp-tcp.js';
import { BgpSession } from '../src/speaker/bgp/session.js';
import type { Advertisement } from '../src/speaker/bgp/advertisement.js';

const n = Number(process.argv[2] ?? '100000');
const receiver = process.argv[3] ?? '10.100.0.1';
const ads: Advertisement[] = [];
for (let i = 0; i < n; i++) ads.push({ prefix: { family: 'IPv4', base: BigInt(0x0ac80000 + i), prefixLength: 32 }, communities: [], largeCommunities: [] });
const session = new BgpSession({
  peer: { name: 'receiver', peerAddress: receiver, myAsn: 64512, peerAsn: 64500, connectTimeSec: 1 },
  defaultRouterId: 0x0a64000b, dialer: new TcpBgpDialer(), clock: systemClock, logger: process.env['BENCH_TRACE'] === '1' ? createLogger({ level: 'info' }) : silentLogger(),
});
session.setAdvertisements(ads);
ads.length = 0;
let reported = false;
session.onChange((s) => {
  if (s.state === 'Established' && s.announced === n && !reported) {
    reported = true;
    process.stdout.write(`sent ${n} at ${Date.now()}\n`);
  }
});
process.on('SIGTERM', () => { session.close(); setTimeout(() => process.exit(0), 200); });
queueMicrotask(() => {
  if (process.env['BENCH_TRACE'] === '1') process.stdout.write(`start at ${Date.now()}\n`);
  session.start();
  process.stdout.write('ready\n');
});
