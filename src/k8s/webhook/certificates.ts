/**
 * The webhook's certificates, as MetalLB's cert rotator makes them (metallb-behaviour.md §8): a self-signed CA
 * (CN `cert`, O `metallb`) and a server certificate for `metallb-webhook-service.<ns>.svc` signed by it, RSA 2048
 * with SHA-256. node-forge writes the X.509 structures; keys are made and signatures computed by node:crypto
 * (native and fast), handed to forge through a small digest adapter. Validity starts an hour before `now` so
 * that an API server whose clock is a little behind accepts a fresh certificate.
 */
import { createPrivateKey, generateKeyPair, randomBytes, sign as signBytes, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

export interface KeyAndCert {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface ServerIdentity {
  readonly serviceName: string;
  readonly namespace: string;
}

const generateRsa = promisify(generateKeyPair);
const clockSkewMs = 60 * 60 * 1000;

/** The DNS names the API server may use for the webhook Service; the first is the one it uses. */
export function serviceDnsNames(id: ServerIdentity): string[] {
  const base = `${id.serviceName}.${id.namespace}`;
  return [`${base}.svc`, `${base}.svc.cluster.local`, base, id.serviceName];
}

async function newKey(): Promise<{ keyPem: string; publicKey: forge.pki.PublicKey; key: KeyObject }> {
  const { privateKey, publicKey } = await generateRsa('rsa', { modulusLength: 2048 });
  return {
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    key: privateKey,
  };
}

/** Signs with node:crypto: forge hands the to-be-signed bytes to `update` and asks the "key" to sign them. */
function signWith(cert: forge.pki.Certificate, key: KeyObject): void {
  const chunks: string[] = [];
  const digest = { algorithm: 'sha256', update: (bytes: string) => { chunks.push(bytes); } };
  const signer = { sign: () => signBytes('sha256', Buffer.from(chunks.join(''), 'binary'), key).toString('binary') };
  cert.sign(signer as unknown as forge.pki.rsa.PrivateKey, digest as unknown as forge.md.MessageDigest);
}

function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // positive, as RFC 5280 §4.1.2.2 requires
  return bytes.toString('hex');
}

function baseCertificate(publicKey: forge.pki.PublicKey, now: Date, validityMs: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = new Date(now.getTime() - clockSkewMs);
  cert.validity.notAfter = new Date(now.getTime() + validityMs);
  return cert;
}

export async function issueCa(now: Date, validityMs: number): Promise<KeyAndCert> {
  const { keyPem, publicKey, key } = await newKey();
  const cert = baseCertificate(publicKey, now, validityMs);
  const name = [{ name: 'commonName', value: 'cert' }, { name: 'organizationName', value: 'metallb' }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  signWith(cert, key);
  return { certPem: forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n'), keyPem };
}

export async function issueServerCertificate(ca: KeyAndCert, id: ServerIdentity, now: Date, validityMs: number): Promise<KeyAndCert> {
  const { keyPem, publicKey } = await newKey();
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const cert = baseCertificate(publicKey, now, validityMs);
  const names = serviceDnsNames(id);
  cert.setSubject([{ name: 'commonName', value: names[0]! }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: names.map((value) => ({ type: 2, value })) },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  signWith(cert, createPrivateKey(ca.keyPem));
  return { certPem: forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n'), keyPem };
}
