/**
 * The gossip keyring: AES-256-GCM keys derived from the `secretkey` of the `memberlist` Secret (as MetalLB names
 * it), the cipher itself (node:crypto, injected into protocol/swim's envelope), nonces that never repeat, and
 * key rotation.
 *
 * Key: HKDF-SHA256 of the secret's bytes. (MetalLB's Go code appends SHA-256("") to the secret and keeps 32
 * bytes; we do not reproduce that quirk because our wire format is our own anyway.)
 * Nonce (NIST SP 800-38D 8.2.1, deterministic construction): 8 random bytes per process, then a 4-byte counter;
 * a new random prefix when the counter wraps. Random 96-bit nonces would be safe for only about 2^32 packets
 * per key across the whole cluster, which a busy cluster sends in days.
 * Rotation: when the secret changes, the new key becomes the primary and the old one stays accepted for
 * `rotationGraceMs`. To each peer we send with the key it last used to talk to us (when we still hold it), else
 * with the primary, so nodes that have not seen the new secret yet (Secret volumes update on each kubelet at its
 * own pace) keep talking with those that have.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import type { Aead, OpenedEnvelope } from '../../protocol/swim/envelope.js';
import { keyBytes, nonceBytes, openEnvelope, sealEnvelope, tagBytes } from '../../protocol/swim/envelope.js';

export interface Endpoint {
  readonly ip: string;
  readonly port: number;
}

/** The AES-256 key for a memberlist secret. */
export function deriveKey(secret: string | Uint8Array): Uint8Array {
  const ikm = typeof secret === 'string' ? Buffer.from(secret.trim(), 'utf8') : secret;
  if (ikm.length === 0) throw new RangeError('empty memberlist secret');
  return new Uint8Array(hkdfSync('sha256', ikm, 'metallb-ts memberlist', 'swim aes-256-gcm v1', keyBytes));
}

export const aesGcm: Aead = {
  seal(key, nonce, plaintext, additionalData) {
    const c = createCipheriv('aes-256-gcm', key, nonce);
    c.setAAD(additionalData);
    return Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
  },
  open(key, nonce, sealed, additionalData) {
    if (sealed.length < tagBytes) return undefined;
    try {
      const d = createDecipheriv('aes-256-gcm', key, nonce);
      d.setAAD(additionalData);
      d.setAuthTag(sealed.subarray(sealed.length - tagBytes));
      return Buffer.concat([d.update(sealed.subarray(0, sealed.length - tagBytes)), d.final()]);
    } catch {
      return undefined;
    }
  },
};

interface HeldKey {
  readonly key: Uint8Array;
  /** When an old key stops being accepted (undefined for the primary). */
  expiresAtMs: number | undefined;
}

export interface KeyringOptions {
  readonly clock: Clock;
  /** How long the previous key stays accepted after a new secret arrives. Default 10 minutes. */
  readonly rotationGraceMs?: number;
}

/** Peers whose last key we remember; beyond this the memory is cleared (it refills from traffic). */
const maxRememberedPeers = 4096;

export class Keyring {
  private keys: HeldKey[] = [];
  private readonly clock: Clock;
  private readonly rotationGraceMs: number;
  private readonly lastKeyOf = new Map<string, Uint8Array>();
  private noncePrefix = randomBytes(8);
  private nonceCounter = 0;

  /** `secret` undefined: the cluster runs unencrypted (as MetalLB without the Secret). */
  constructor(secret: string | Uint8Array | undefined, o: KeyringOptions) {
    this.clock = o.clock;
    this.rotationGraceMs = o.rotationGraceMs ?? 600_000;
    if (secret !== undefined) this.keys = [{ key: deriveKey(secret), expiresAtMs: undefined }];
  }

  get encrypted(): boolean {
    return this.keys.length > 0;
  }

  /** Keys currently accepted, the primary first. */
  get keyCount(): number {
    this.expire();
    return this.keys.length;
  }

  /** A new secret: its key becomes the primary; the previous primary is accepted for the grace period. */
  setSecret(secret: string | Uint8Array): void {
    const key = deriveKey(secret);
    const primary = this.keys[0];
    if (primary !== undefined && Buffer.from(primary.key).equals(key)) return;
    const kept = this.keys.filter((k) => !Buffer.from(k.key).equals(key));
    if (primary !== undefined) primary.expiresAtMs = this.clock.nowMs() + this.rotationGraceMs;
    this.keys = [{ key, expiresAtMs: undefined }, ...kept];
  }

  seal(body: Uint8Array, to: Endpoint): Uint8Array {
    this.expire();
    const primary = this.keys[0];
    if (primary === undefined) return sealEnvelope(body);
    const remembered = this.lastKeyOf.get(endpointKey(to));
    const key = remembered !== undefined && this.keys.some((k) => k.key === remembered) ? remembered : primary.key;
    return sealEnvelope(body, { key, nonce: this.nextNonce(), aead: aesGcm });
  }

  open(datagram: Uint8Array, from: Endpoint): OpenedEnvelope {
    this.expire();
    const opened = openEnvelope(datagram, this.keys.map((k) => k.key), aesGcm);
    if (opened.ok && opened.keyIndex >= 0) {
      if (this.lastKeyOf.size >= maxRememberedPeers) this.lastKeyOf.clear();
      this.lastKeyOf.set(endpointKey(from), (this.keys[opened.keyIndex] as HeldKey).key);
    }
    return opened;
  }

  private expire(): void {
    const now = this.clock.nowMs();
    if (this.keys.some((k) => k.expiresAtMs !== undefined && k.expiresAtMs <= now)) {
      this.keys = this.keys.filter((k) => k.expiresAtMs === undefined || k.expiresAtMs > now);
    }
  }

  private nextNonce(): Uint8Array {
    if (this.nonceCounter > 0xffffffff) {
      this.noncePrefix = randomBytes(8);
      this.nonceCounter = 0;
    }
    const nonce = Buffer.allocUnsafe(nonceBytes);
    this.noncePrefix.copy(nonce, 0);
    nonce.writeUInt32BE(this.nonceCounter++, 8);
    return nonce;
  }
}

function endpointKey(e: Endpoint): string {
  return `${e.ip}|${e.port}`;
}
