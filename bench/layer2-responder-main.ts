/**
 * A standalone layer-2 responder for benchmarks, run inside a node namespace (`ip netns exec`): the
 * announcer with native sockets and the sysfs interface scan, announcing the IPs given as arguments.
 * Prints `ready` once the responders are up; stops on SIGTERM.
 *
 *   ip netns exec NODE node dist/bench/layer2-responder-main.js 10.200.0.10 fd00:200::10
 */
import { Registry } from 'prom-client';
import { systemClock } from '../src/lib/clock.js';
import { parseIp, type IpAddress } from '../src/lib/ip.js';
import { createLogger } from '../src/lib/logger.js';
import { nativeLayer2Io } from '../src/net/layer2-io.js';
import { Announcer } from '../src/speaker/layer2/announcer.js';

const ips = process.argv.slice(2).map((text) => parseIp(text)).filter((ip): ip is IpAddress => ip !== undefined);
const registry = new Registry();
const announcer = new Announcer({
  io: nativeLayer2Io(), clock: systemClock, logger: createLogger({ level: 'warn', destination: process.stderr }), registry,
});
await announcer.start();
announcer.setBalancer('bench/svc', ips, 'all');
process.stdout.write(`ready ${announcer.localInterfaces().join(',')}\n`);
process.on('SIGTERM', () => {
  void registry.metrics().then((text) => {
    process.stdout.write(text.split('\n').filter((l) => l.startsWith('metallb_layer2_')).join('\n') + '\n');
    announcer.close();
    process.exit(0);
  });
});
