/**
 * Which interfaces get an ARP and/or an NDP responder (metallb-behaviour.md §5.3, MetalLB `updateInterfaces`):
 * an interface whose name matches the exclude list is ignored entirely; otherwise it must be administratively
 * up, not enslaved (no `master`: bond, bridge or VRF member), and not NOARP. ARP runs where the interface has
 * the BROADCAST flag, NDP where it has an IPv6 link-local address. Pure: the interface list comes from an
 * injected source (sysfs on a node, `ip -j` in the lab).
 */
import type { IpAddress } from '../../lib/ip.js';
import type { MacAddress } from '../../protocol/ethernet/mac.js';

export interface InterfaceInfo {
  readonly name: string;
  readonly index: number;
  readonly mac: MacAddress | undefined;
  /** IFF_UP (administratively up). */
  readonly up: boolean;
  /** IFF_BROADCAST. */
  readonly broadcast: boolean;
  /** IFF_NOARP. */
  readonly noArp: boolean;
  /** `/sys/class/net/<if>/master` exists. */
  readonly enslaved: boolean;
  /** The first IPv6 link-local address, if any. */
  readonly ipv6LinkLocal: IpAddress | undefined;
}

/** Lists the node's interfaces now. */
export type InterfaceSource = () => Promise<readonly InterfaceInfo[]>;

/** MetalLB's default `announcedInterfacesToExclude` (manifests and Helm chart). */
export const defaultExcludedInterfaces: readonly string[] = [
  '^docker.*', '^cbr.*', '^dummy.*', '^virbr.*', '^lxcbr.*', '^veth.*', '^lo$', '^cali.*', '^tunl.*',
  '^flannel.*', '^kube-ipvs.*', '^cni.*', '^nodelocaldns.*', '^lxc.*',
];

/** MetalLB joins the patterns as `(r1)|(r2)|...`; an empty list excludes nothing. */
export function excludePattern(patterns: readonly string[]): RegExp | undefined {
  if (patterns.length === 0) return undefined;
  return new RegExp(patterns.map((p) => `(${p})`).join('|'));
}

export interface Eligibility {
  readonly arp: boolean;
  readonly ndp: boolean;
}

/** Responders for `iface`, or undefined when the exclude pattern hides it entirely. */
export function eligibility(iface: InterfaceInfo, exclude: RegExp | undefined): Eligibility | undefined {
  if (exclude?.test(iface.name) === true) return undefined;
  if (!iface.up || iface.enslaved || iface.noArp || iface.mac === undefined) return { arp: false, ndp: false };
  return { arp: iface.broadcast, ndp: iface.ipv6LinkLocal !== undefined };
}
