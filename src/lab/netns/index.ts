/**
 * The network-namespace harness: a lab network from a declarative description, processes inside it, link
 * failures, a kube-proxy stand-in, a pod that names its node, probes, and polling with deadlines.
 *
 *   const net = await buildNetwork(defaultTopology(runPrefix(), { nodes: 3 }));
 *   try {
 *     net.start('node1', ['bird', '-f', '-c', conf], 'bird');          // supervised, by PID, log in net.workDir
 *     await startPod(net, 'node1', { tcpPort: 8080 });                  // answers "node1 from <client>"
 *     await new KubeProxy(net.host('node1').netns, [...]).setServices([...]);
 *     await waitFor(() => ping(net.host('client').netns, '10.100.0.11'), { timeoutMs: 3000 });
 *   } finally {
 *     await net.close();                                                // processes, then namespaces
 *   }
 *
 * Everything is asynchronous on purpose: a test often hosts responders or speakers in its own event loop
 * while a tool runs in a namespace, and a synchronous exec would starve them.
 */
export { run, runIn, ipIn, ipBatch, sysctlIn, type RunOptions, type RunResult } from './command.js';
export {
  defaultTopology, defaultPlan, planMac, namespaceOf, linkAddress,
  type TopologySpec, type HostSpec, type LinkSpec, type HostRole, type RouterUplinkSpec, type DefaultTopologyOptions,
} from './topology.js';
export {
  buildNetwork, Network, bridgeName, namespacesWithPrefix, removeNamespacesWithPrefix, type Host, type BuildOptions,
} from './network.js';
export { Supervisor, SupervisedProcess, namespacePids, sweepNamespace, type StartOptions, type ExitStatus } from './supervisor.js';
export { cutLink, restoreLink, type CutMode } from './links.js';
export { KubeProxy, renderRuleset, type ServiceRule, type Backend } from './kube-proxy.js';
export { startPod, type Pod, type PodOptions } from './pod.js';
export { neighbors, neighborMac, flushNeighbors, addresses, ping, tcpRequest, type NeighborEntry, type InterfaceAddress } from './inspect.js';
export { waitFor, eventually, type WaitOptions } from './wait.js';
export { runPrefix } from './prefix.js';
export { namespaceInterfaces, parseIpAddrJson } from './interfaces.js';
export { L2Probe, type Answer, type ProbeHost } from './l2-probe.js';
export { NeighborMonitor, parseNeighborEvent, wallNowMs, type NeighborEvent } from './neighbor-monitor.js';
