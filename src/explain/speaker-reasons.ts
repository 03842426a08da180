/** Sentences for the speakers' withdraw reasons (MetalLB's names, metallb-behaviour.md §5.1, §6.2). */
import type { ServiceWithdrawReason } from '../speaker/service-check.js';
import type { BgpWithdrawReason } from '../speaker/bgp/advertisements.js';

export function serviceCheckMessage(reason: ServiceWithdrawReason, detail?: string): string {
  switch (reason) {
    case 'serviceDeleted': return 'the Service does not exist';
    case 'notLoadBalancer': return 'it is not a LoadBalancer Service';
    case 'otherLoadBalancerClass': return 'its loadBalancerClass is not the speakers\' (--lb-class)';
    case 'noIPAllocated': return 'it has no address yet (status.loadBalancer.ingress is empty): nothing to announce';
    case 'invalidIP': return detail ?? 'an ingress address does not parse';
    case 'ipNotAllowed': return 'its addresses are in no one IPAddressPool: the speakers do not announce addresses MetalLB did not give';
  }
}

export function bgpReasonMessage(reason: BgpWithdrawReason, pool: string): string {
  switch (reason) {
    case 'notOwner': return `no BGPAdvertisement of pool ${pool} selects this node (nodeSelectors)`;
    case 'noMatchingAdvertisement': return `the BGPAdvertisements of pool ${pool} that select this node do not select the Service (serviceSelectors)`;
    case 'conflictingAdvertisements': return 'two BGPAdvertisements give the same prefix different localPref';
    case 'nodeNetworkUnavailable': return 'its NetworkUnavailable condition is True';
    case 'nodeLabeledExcludeBalancers': return 'it has the label node.kubernetes.io/exclude-from-external-load-balancers';
    case 'noLocalEndpoints': return 'externalTrafficPolicy is Local and no serving endpoint of the Service runs on it';
    case 'noEndpoints': return 'no endpoint of the Service is serving';
  }
}
