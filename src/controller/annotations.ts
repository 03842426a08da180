/**
 * MetalLB's Service annotations (metallb-behaviour.md §3.1). The `metallb.io/` key wins whenever it is present,
 * even empty; the legacy `metallb.universe.tf/` key is read only when the new one is absent.
 */
export const annotation = {
  addressPool: 'metallb.io/address-pool',
  loadBalancerIPs: 'metallb.io/loadBalancerIPs',
  allowSharedIP: 'metallb.io/allow-shared-ip',
  ipAllocatedFromPool: 'metallb.io/ip-allocated-from-pool',
} as const;

export const legacyAnnotation = {
  addressPool: 'metallb.universe.tf/address-pool',
  loadBalancerIPs: 'metallb.universe.tf/loadBalancerIPs',
  allowSharedIP: 'metallb.universe.tf/allow-shared-ip',
  ipAllocatedFromPool: 'metallb.universe.tf/ip-allocated-from-pool',
} as const;

/** Any annotation key starting with this draws a `deprecatedAnnotation` warning when the Service is written. */
export const legacyAnnotationPrefix = 'metallb.universe.tf';

export type Annotations = Readonly<Record<string, string>> | undefined;

/** MetalLB's `valueForAnnotation`: the current key if present, else the legacy key, else "". */
export function annotationValue(annotations: Annotations, name: keyof typeof annotation): string {
  const a = annotations ?? {};
  if (Object.hasOwn(a, annotation[name])) return a[annotation[name]] as string;
  if (Object.hasOwn(a, legacyAnnotation[name])) return a[legacyAnnotation[name]] as string;
  return '';
}

/** Legacy keys on the Service, sorted (MetalLB walks a Go map; we keep the events in a stable order). */
export function legacyAnnotationKeys(annotations: Annotations): string[] {
  return Object.keys(annotations ?? {}).filter((k) => k.startsWith(legacyAnnotationPrefix)).sort();
}
