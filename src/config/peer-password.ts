/**
 * The TCP MD5 password of a BGPPeer: `password`, or the `password` key of a kubernetes.io/basic-auth Secret in
 * the MetalLB namespace (metallb-behaviour.md §2.4, §2.9 #24-#25). A missing Secret is transient.
 */
import type { V1Secret } from '@kubernetes/client-node';
import type { BGPPeer } from '../api/schema/bgp-peer.js';
import type { ObjectRef, ProblemList } from './problems.js';

export const basicAuthSecretType = 'kubernetes.io/basic-auth';

export interface PeerPassword {
  readonly password?: string;
  readonly passwordSecret?: { readonly name: string; readonly namespace?: string };
}

function fromSecret(name: string, secrets: readonly V1Secret[], at: ObjectRef, problems: ProblemList): string | undefined {
  const secret = secrets.find((s) => s.metadata?.name === name);
  const path = 'spec.passwordSecret.name';
  if (secret === undefined) {
    problems.add('peer-secret-missing', at, path, `Secret "${name}" not found in the MetalLB namespace`);
    return undefined;
  }
  if (secret.type !== basicAuthSecretType) {
    problems.add('peer-secret-type', at, path, `Secret "${name}" is of type "${secret.type ?? 'Opaque'}", not ${basicAuthSecretType}`);
    return undefined;
  }
  const encoded = secret.data?.['password'];
  if (encoded === undefined) {
    problems.add('peer-secret-password-key', at, path, `Secret "${name}" has no "password" key`);
    return undefined;
  }
  return Buffer.from(encoded, 'base64').toString('utf8');
}

export function parsePeerPassword(
  spec: NonNullable<BGPPeer['spec']>,
  secrets: readonly V1Secret[],
  at: ObjectRef,
  problems: ProblemList,
): PeerPassword {
  const password = spec.password ?? '';
  const ref = spec.passwordSecret;
  const secretName = ref?.name ?? '';
  if (password !== '' && secretName !== '') {
    problems.add('peer-password-and-secret', at, 'spec.passwordSecret', 'password and passwordSecret are mutually exclusive');
    return {};
  }
  if (secretName === '') return password === '' ? {} : { password };
  const passwordSecret = ref?.namespace === undefined ? { name: secretName } : { name: secretName, namespace: ref.namespace };
  const fromRef = fromSecret(secretName, secrets, at, problems);
  return fromRef === undefined ? { passwordSecret } : { password: fromRef, passwordSecret };
}
