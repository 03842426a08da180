/**
 * What kube-proxy would program on one node for the lab's LoadBalancer Services, pure: every ingress IP and
 * port DNATs to the Service's serving endpoints of the same family; with `externalTrafficPolicy: Local` only
 * to endpoints on this node (none: the traffic is dropped, as kube-proxy does). The harness's `KubeProxy`
 * renders and installs them.
 */
import type { ServiceRule } from '../netns/kube-proxy.js';
import { serviceNameLabel, type ServiceInput } from './endpoint-slices.js';

export interface SliceInput {
  readonly metadata?: { readonly namespace?: string; readonly labels?: Readonly<Record<string, string>> };
  readonly addressType?: string;
  readonly endpoints?: readonly {
    readonly addresses?: readonly string[];
    readonly nodeName?: string;
    readonly conditions?: { readonly ready?: boolean | null; readonly serving?: boolean | null };
  }[] | null;
  readonly ports?: readonly { readonly name?: string; readonly port?: number; readonly protocol?: string }[] | null;
}

function serves(e: NonNullable<SliceInput['endpoints']>[number]): boolean {
  const c = e.conditions ?? {};
  return c.ready === undefined || c.ready === null || c.ready || c.serving === true;
}

function slicesOf(svc: ServiceInput, slices: readonly SliceInput[]): SliceInput[] {
  const ns = svc.metadata?.namespace ?? 'default';
  return slices.filter((s) => (s.metadata?.namespace ?? 'default') === ns && s.metadata?.labels?.[serviceNameLabel] === svc.metadata?.name);
}

/** The rules of node `node`, in a stable order. */
export function proxyRulesFor(node: string, services: readonly ServiceInput[], slices: readonly SliceInput[]): ServiceRule[] {
  const rules: ServiceRule[] = [];
  for (const svc of services) {
    if (svc.spec?.type !== 'LoadBalancer') continue;
    const local = svc.spec.externalTrafficPolicy === 'Local';
    const mine = slicesOf(svc, slices);
    for (const ingress of svc.status?.loadBalancer?.ingress ?? []) {
      const ip = ingress.ip ?? '';
      if (ip === '') continue;
      const family = ip.includes(':') ? 'IPv6' : 'IPv4';
      for (const port of svc.spec.ports ?? []) {
        const protocol = (port.protocol ?? 'TCP').toLowerCase();
        if (protocol !== 'tcp' && protocol !== 'udp') continue;
        const backends = mine.filter((s) => s.addressType === family).flatMap((s) => {
          const target = (s.ports ?? []).find((p) => (p.name ?? '') === (port.name ?? ''))?.port;
          if (target === undefined) return [];
          return (s.endpoints ?? []).filter((e) => serves(e) && (!local || e.nodeName === node))
            .flatMap((e) => (e.addresses ?? []).map((a) => ({ ip: a, port: target })));
        });
        rules.push({ ip, port: port.port, protocol, backends });
      }
    }
  }
  return rules;
}
