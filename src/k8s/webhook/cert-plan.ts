/**
 * When to renew the webhook's certificates, a pure decision over the Secret's contents and the time, and the
 * renewal itself. Keys as MetalLB's Secret `metallb-webhook-cert`: `ca.crt`, `ca.key`, `tls.crt`, `tls.key`.
 *
 * Renewal never leaves the API server trusting nothing: a new CA is added to `ca.crt` in front of the previous
 * one, which stays there (and so in every caBundle) until it expires, so a replica still serving a certificate
 * from the old CA keeps working while the Secret change reaches it. A new server certificate from the same CA
 * needs no caBundle change at all.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { type KeyAndCert, type ServerIdentity, issueCa, issueServerCertificate, serviceDnsNames } from './certificates.js';

export const certSecretKeys = { caCert: 'ca.crt', caKey: 'ca.key', tlsCert: 'tls.crt', tlsKey: 'tls.key' } as const;

export type WebhookCertData = Readonly<Record<(typeof certSecretKeys)[keyof typeof certSecretKeys], string>>;

export interface CertPolicy {
  readonly caValidityMs: number;
  readonly serverValidityMs: number;
  /** Renew a certificate when less than this much of its validity is left. */
  readonly renewBeforeMs: number;
}

const dayMs = 24 * 60 * 60 * 1000;

/** CA for 10 years as MetalLB's rotator; server certificates for a year, so renewal is exercised; 90 days ahead. */
export const defaultCertPolicy: CertPolicy = { caValidityMs: 3650 * dayMs, serverValidityMs: 365 * dayMs, renewBeforeMs: 90 * dayMs };

export type RenewReason = 'missing' | 'unreadable' | 'ca-expiring' | 'server-expiring' | 'server-not-from-ca' | 'names-changed' | 'bundle-has-expired-ca';

export type CertCheck =
  | { readonly renew: 'nothing' }
  | { readonly renew: 'ca' | 'server' | 'bundle'; readonly reason: RenewReason };

/** The PEM blocks of a bundle, in order. */
export function splitPem(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)?.map((b) => `${b}\n`) ?? [];
}

function parse(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

const validToMs = (c: X509Certificate): number => new Date(c.validTo).getTime();

function keyMatches(cert: X509Certificate, keyPem: string): boolean {
  try {
    return cert.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

interface Parsed {
  readonly bundle: readonly X509Certificate[];
  readonly ca: X509Certificate;
  readonly server: X509Certificate;
}

function parseAll(data: Partial<Record<string, string>>): Parsed | 'missing' | 'unreadable' {
  const [caText, caKey, tlsText, tlsKey] = [data[certSecretKeys.caCert], data[certSecretKeys.caKey], data[certSecretKeys.tlsCert], data[certSecretKeys.tlsKey]];
  if (!caText || !caKey || !tlsText || !tlsKey) return 'missing';
  const bundle = splitPem(caText).map(parse);
  const server = parse(tlsText);
  const ca = bundle[0];
  if (ca === undefined || server === undefined || bundle.some((c) => c === undefined)) return 'unreadable';
  if (!ca.ca || !keyMatches(ca, caKey) || !keyMatches(server, tlsKey)) return 'unreadable';
  return { bundle: bundle as X509Certificate[], ca, server };
}

/** What, if anything, to renew at `now`. */
export function checkCertificates(data: Partial<Record<string, string>> | undefined, id: ServerIdentity, now: Date, policy: CertPolicy): CertCheck {
  const parsed = parseAll(data ?? {});
  if (parsed === 'missing' || parsed === 'unreadable') return { renew: 'ca', reason: parsed };
  const deadline = now.getTime() + policy.renewBeforeMs;
  if (validToMs(parsed.ca) <= deadline) return { renew: 'ca', reason: 'ca-expiring' };
  if (!parsed.server.verify(parsed.ca.publicKey)) return { renew: 'server', reason: 'server-not-from-ca' };
  const altNames = parsed.server.subjectAltName ?? '';
  if (!serviceDnsNames(id).every((n) => altNames.split(', ').includes(`DNS:${n}`))) return { renew: 'server', reason: 'names-changed' };
  if (validToMs(parsed.server) <= deadline) return { renew: 'server', reason: 'server-expiring' };
  if (parsed.bundle.some((c) => validToMs(c) <= now.getTime())) return { renew: 'bundle', reason: 'bundle-has-expired-ca' };
  return { renew: 'nothing' };
}

/** New Secret contents for a check that asks for a renewal. */
export async function renewCertificates(data: Partial<Record<string, string>> | undefined, check: CertCheck, id: ServerIdentity,
  now: Date, policy: CertPolicy): Promise<WebhookCertData> {
  const old = data ?? {};
  const stillValid = (pem: string): boolean => {
    const c = parse(pem);
    return c !== undefined && validToMs(c) > now.getTime();
  };
  const previous = check.renew === 'ca' && (check.reason === 'missing' || check.reason === 'unreadable') ? [] : splitPem(old[certSecretKeys.caCert] ?? '');
  let ca: KeyAndCert;
  let bundle: string[];
  if (check.renew === 'ca') {
    ca = await issueCa(now, policy.caValidityMs);
    bundle = [ca.certPem, ...previous.filter(stillValid)];
  } else {
    ca = { certPem: previous[0] ?? '', keyPem: old[certSecretKeys.caKey] ?? '' };
    bundle = previous.filter(stillValid);
  }
  const server = check.renew === 'bundle'
    ? { certPem: old[certSecretKeys.tlsCert] ?? '', keyPem: old[certSecretKeys.tlsKey] ?? '' }
    : await issueServerCertificate(ca, id, now, policy.serverValidityMs);
  return {
    [certSecretKeys.caCert]: bundle.join(''),
    [certSecretKeys.caKey]: ca.keyPem,
    [certSecretKeys.tlsCert]: server.certPem,
    [certSecretKeys.tlsKey]: server.keyPem,
  };
}
