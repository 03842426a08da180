/**
 * The envelope around a packet body: what goes on the wire as one UDP datagram or one stream frame.
 *
 *   version (u8) = 1 | kind (u8) | payload
 *     kind 0, plain:        payload = packet body
 *     kind 1, AES-256-GCM:  payload = nonce (12) | ciphertext | tag (16); the additional data is the two
 *                           header bytes, so neither can be changed without failing authentication.
 *
 * The cipher is injected (`Aead`), so protocol/ stays free of node:crypto. Keys are tried in keyring order
 * (the primary first), which is how a rotation works: every node accepts the old and the new key for a while.
 * When any key is configured, plain packets are refused. Nothing here throws on hostile input: a datagram is
 * either opened or dropped with a reason.
 */

/** The current packet version; a receiver drops other versions (an incompatible change bumps it). */
export const packetVersion = 1;

// wire values: append only.
export const EnvelopeKind = { Plain: 0, AesGcm: 1 } as const;

export const envelopeHeaderBytes = 2;
export const nonceBytes = 12;
export const tagBytes = 16;
/** What the envelope adds to a body when encryption is on (the budget every packet is built with). */
export const envelopeOverheadBytes = envelopeHeaderBytes + nonceBytes + tagBytes;
/** AES-256 keys are 32 bytes. */
export const keyBytes = 32;

export interface Aead {
  /** AES-256-GCM encryption: returns ciphertext followed by the 16-byte tag. */
  seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, additionalData: Uint8Array): Uint8Array;
  /** Returns the plaintext, or undefined when the tag does not verify. Never throws on bad input. */
  open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, additionalData: Uint8Array): Uint8Array | undefined;
}

export type EnvelopeDropReason =
  | 'truncated'
  | 'unsupportedVersion'
  | 'unknownEnvelope'
  | 'unencrypted'
  | 'noKey'
  | 'authFailed';

export type OpenedEnvelope =
  | { readonly ok: true; readonly body: Uint8Array; /** index in `keys` of the key that opened it; -1 when plain */ readonly keyIndex: number }
  | { readonly ok: false; readonly reason: EnvelopeDropReason };

export interface SealOptions {
  readonly key?: Uint8Array | undefined;
  /** A 12-byte nonce, never reused with the same key (the driver's counter scheme guarantees it). */
  readonly nonce?: Uint8Array | undefined;
  readonly aead?: Aead | undefined;
}

/** Wraps a packet body: plain when no key is given, AES-256-GCM otherwise. */
export function sealEnvelope(body: Uint8Array, options: SealOptions = {}): Uint8Array {
  const { key, nonce, aead } = options;
  if (key === undefined) {
    const out = new Uint8Array(envelopeHeaderBytes + body.length);
    out[0] = packetVersion;
    out[1] = EnvelopeKind.Plain;
    out.set(body, envelopeHeaderBytes);
    return out;
  }
  if (aead === undefined || nonce === undefined || nonce.length !== nonceBytes || key.length !== keyBytes) {
    throw new RangeError('sealing needs a 32-byte key, a 12-byte nonce and a cipher');
  }
  const header = Uint8Array.of(packetVersion, EnvelopeKind.AesGcm);
  const sealed = aead.seal(key, nonce, body, header);
  const out = new Uint8Array(envelopeHeaderBytes + nonceBytes + sealed.length);
  out.set(header, 0);
  out.set(nonce, envelopeHeaderBytes);
  out.set(sealed, envelopeHeaderBytes + nonceBytes);
  return out;
}

/** Opens a datagram with the first key that authenticates it; `keys` empty means the cluster runs plain. */
export function openEnvelope(datagram: Uint8Array, keys: readonly Uint8Array[], aead?: Aead): OpenedEnvelope {
  if (datagram.length < envelopeHeaderBytes) return { ok: false, reason: 'truncated' };
  if (datagram[0] !== packetVersion) return { ok: false, reason: 'unsupportedVersion' };
  const kind = datagram[1];
  const header = datagram.subarray(0, envelopeHeaderBytes);
  if (kind === EnvelopeKind.Plain) {
    if (keys.length > 0) return { ok: false, reason: 'unencrypted' };
    return { ok: true, body: datagram.subarray(envelopeHeaderBytes), keyIndex: -1 };
  }
  if (kind !== EnvelopeKind.AesGcm) return { ok: false, reason: 'unknownEnvelope' };
  if (keys.length === 0 || aead === undefined) return { ok: false, reason: 'noKey' };
  if (datagram.length < envelopeOverheadBytes) return { ok: false, reason: 'truncated' };
  const nonce = datagram.subarray(envelopeHeaderBytes, envelopeHeaderBytes + nonceBytes);
  const sealed = datagram.subarray(envelopeHeaderBytes + nonceBytes);
  for (let i = 0; i < keys.length; i++) {
    const body = aead.open(keys[i] as Uint8Array, nonce, sealed, header);
    if (body !== undefined) return { ok: true, body, keyIndex: i };
  }
  return { ok: false, reason: 'authFailed' };
}
