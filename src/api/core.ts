/**
 * The core Kubernetes shapes metallb-ts reads (Service, EndpointSlice, Node, Namespace, Secret): the official
 * client's types, imported as types only, so pure layers can name them without loading the client.
 */
export type { V1EndpointSlice, V1Namespace, V1Node, V1ObjectMeta, V1Secret, V1Service } from '@kubernetes/client-node';
