/**
 * The BGP fuzz run: N random and mutated messages (default 1,000,000; half mutations of the golden captures
 * and of our own messages, half random) through the framer, codec and session state machine, in OpenSent and in
 * Established. Prints the count, crashes, and every NOTIFICATION code/subcode sent with how often; exits 1 on a
 * crash or a NOTIFICATION the RFCs do not allow for that message.
 *   node dist/bench/bgp-fuzz.js [--messages 1000000] [--seed 1]
 */
import { fuzz } from '../test/support/bgp-fuzz.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const count = arg('messages', 1_000_000);
const seed = arg('seed', 1);
const started = performance.now();
const r = fuzz(count, seed);
const seconds = (performance.now() - started) / 1000;
console.log(`BGP fuzz: ${r.messages.toLocaleString('en')} messages (seed ${seed}) in ${seconds.toFixed(1)} s`);
console.log(`  crashes: ${r.crashes}`);
console.log(`  NOTIFICATIONs sent: ${r.notifications.toLocaleString('en')}, not allowed by the RFCs: ${r.wrongNotifications}`);
for (const [code, n] of [...r.byCode].sort((a, b) => b[1] - a[1])) console.log(`    ${code.padEnd(5)} ${n.toLocaleString('en')}`);
console.log('  UPDATEs kept with an RFC 7606 repair:');
for (const [action, n] of [...r.repaired].sort((a, b) => b[1] - a[1])) console.log(`    ${action.padEnd(17)} ${n.toLocaleString('en')}`);
if (r.firstCrash !== undefined) console.log(`  first crash: ${JSON.stringify(r.firstCrash)}`);
if (r.firstWrong !== undefined) console.log(`  first wrong NOTIFICATION: ${JSON.stringify(r.firstWrong)}`);
process.exitCode = r.crashes === 0 && r.wrongNotifications === 0 ? 0 : 1;
