/**
 * Starting the lab's "pod" (pod-main.ts) inside a host namespace and waiting until it listens.
 */
import { fileURLToPath } from 'node:url';
import type { Network } from './network.js';
import type { SupervisedProcess } from './supervisor.js';
import { waitFor } from './wait.js';

export interface PodOptions {
  readonly tcpPort?: number;
  readonly httpPort?: number;
  /** What the pod answers with; default the host name. */
  readonly answer?: string;
}

export interface Pod {
  readonly host: string;
  readonly tcpPort: number;
  readonly httpPort: number | undefined;
  readonly process: SupervisedProcess;
}

const podMain = fileURLToPath(new URL('./pod-main.js', import.meta.url));

export async function startPod(network: Network, hostName: string, options: PodOptions = {}): Promise<Pod> {
  const tcpPort = options.tcpPort ?? 8080;
  const args = [process.execPath, podMain, '--name', options.answer ?? hostName, '--tcp-port', String(tcpPort)];
  if (options.httpPort !== undefined) args.push('--http-port', String(options.httpPort));
  const proc = network.start(hostName, args, `pod-${tcpPort}`);
  await waitFor(() => {
    if (!proc.running) throw new Error(`pod exited: ${proc.output()}`);
    return proc.output().includes('listening');
  }, { timeoutMs: 10_000, what: `the pod on ${hostName} to listen` });
  return { host: hostName, tcpPort, httpPort: options.httpPort, process: proc };
}
