/**
 * A speaker process for the graceful-restart tests: run inside a node's namespace (`net.start(node, [node,
 * bgp-agent.js, JSON])`), it listens on [::]:179, opens one session per peer with graceful restart and the
 * Restart State bit (it always "just restarted"), and prints one JSON line per session change.
 *   argv[2] = { peers: BgpPeerSpec[], routerId: number, prefixes: AdSpec[], defer?: boolean, linkLocal?: string }
 * With `defer`, the prefixes (and so the End-of-RIB) go out only on SIGUSR2. SIGTERM closes gracefully (no
 * NOTIFICATION) and exits; the tests also SIGKILL it to simulate a crash.
 */
import { createLogger } from '../../src/lib/logger.js';
import { systemClock } from '../../src/lib/clock.js';
import { TcpBgpAcceptor, TcpBgpDialer } from '../../src/net/bgp-tcp.js';
import { BgpSession } from '../../src/speaker/bgp/session.js';
import type { BgpPeerSpec } from '../../src/speaker/bgp/peer-spec.js';
import { advertisement, type AdSpec } from './bgp-lab.js';

interface AgentConfig {
  readonly peers: BgpPeerSpec[];
  readonly routerId: number;
  readonly prefixes: AdSpec[];
  readonly defer?: boolean;
  readonly linkLocal?: string;
}

const config = JSON.parse(process.argv[2] ?? '{}') as AgentConfig;
const logger = createLogger({ level: 'warn' });
const acceptor = await TcpBgpAcceptor.listen();
const dialer = new TcpBgpDialer();
const ads = config.prefixes.map(advertisement);
const sessions = config.peers.map((peer) => {
  const s = new BgpSession({
    peer, defaultRouterId: config.routerId, dialer, acceptor, clock: systemClock, logger, restarting: true,
    ...(config.linkLocal === undefined ? {} : { linkLocalFor: () => config.linkLocal }),
  });
  let last = '';
  s.onChange((st) => {
    const line = JSON.stringify({ peer: peer.peerAddress, state: st.state, endOfRibSent: st.endOfRibSent, announced: st.announced });
    if (line !== last) process.stdout.write(`${line}\n`);
    last = line;
  });
  return s;
});
const advertise = (): void => {
  for (const s of sessions) {
    const six = s.label.startsWith('[');
    s.setAdvertisements(ads.filter((a) => (a.prefix.family === 'IPv6') === six));
  }
};
process.on('SIGUSR2', advertise);
process.on('SIGTERM', () => {
  for (const s of sessions) s.close({ graceful: true });
  void acceptor.close().then(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
});
for (const s of sessions) s.start();
if (config.defer !== true) advertise();
process.stdout.write('agent started\n');
