import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Aead } from './envelope.js';
import { envelopeOverheadBytes, openEnvelope, sealEnvelope } from './envelope.js';

// The real cipher, as the driver injects it (tests may use node:crypto; protocol/ code may not).
const aesGcm: Aead = {
  seal(key, nonce, plaintext, aad) {
    const c = createCipheriv('aes-256-gcm', key, nonce);
    c.setAAD(aad);
    return Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
  },
  open(key, nonce, sealed, aad) {
    if (sealed.length < 16) return undefined;
    try {
      const d = createDecipheriv('aes-256-gcm', key, nonce);
      d.setAAD(aad);
      d.setAuthTag(sealed.subarray(sealed.length - 16));
      return Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]);
    } catch {
      return undefined;
    }
  },
};

const keyA = randomBytes(32);
const keyB = randomBytes(32);
const body = Uint8Array.of(1, 0x61, 3, 0, 4, 0, 0, 0, 9);
const seal = (key: Uint8Array): Uint8Array => sealEnvelope(body, { key, nonce: randomBytes(12), aead: aesGcm });

test('a sealed packet opens with its key and adds exactly the documented overhead', () => {
  const sealed = seal(keyA);
  assert.equal(sealed.length, body.length + envelopeOverheadBytes);
  const opened = openEnvelope(sealed, [keyA], aesGcm);
  assert.deepEqual(opened.ok && [...opened.body], [...body]);
});

test('during a rotation a packet sealed with the old key still opens, and says which key did it', () => {
  const opened = openEnvelope(seal(keyA), [keyB, keyA], aesGcm);
  assert.equal(opened.ok && opened.keyIndex, 1);
});

test('a packet sealed with a key we do not hold is dropped as authFailed', () => {
  assert.deepEqual(openEnvelope(seal(keyA), [keyB], aesGcm), { ok: false, reason: 'authFailed' });
});

test('changing any byte of a sealed packet fails authentication, the header included', () => {
  const sealed = seal(keyA);
  for (let i = 1; i < sealed.length; i++) {
    const bad = Uint8Array.from(sealed);
    bad[i]! ^= 0x01;
    const opened = openEnvelope(bad, [keyA], aesGcm);
    assert.equal(opened.ok, false, `byte ${i}`);
  }
});

test('a cluster with a key refuses plain packets, and one without refuses sealed ones', () => {
  assert.deepEqual(openEnvelope(sealEnvelope(body), [keyA], aesGcm), { ok: false, reason: 'unencrypted' });
  assert.deepEqual(openEnvelope(seal(keyA), [], aesGcm), { ok: false, reason: 'noKey' });
  const plain = openEnvelope(sealEnvelope(body), []);
  assert.equal(plain.ok && plain.keyIndex, -1);
});

for (const c of [
  { name: 'an empty datagram is truncated', bytes: [], reason: 'truncated' },
  { name: 'another version is refused', bytes: [2, 0, 1], reason: 'unsupportedVersion' },
  { name: 'an unknown envelope kind is refused', bytes: [1, 9, 1], reason: 'unknownEnvelope' },
  { name: 'a sealed datagram shorter than nonce and tag is truncated', bytes: [1, 1, 0, 0, 0], reason: 'truncated' },
]) {
  test(c.name, () => assert.deepEqual(openEnvelope(Uint8Array.from(c.bytes), [keyA], aesGcm), { ok: false, reason: c.reason }));
}

test('arbitrary datagrams are dropped with a reason, never thrown', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
    const opened = openEnvelope(b, [keyA, keyB], aesGcm);
    assert.equal(opened.ok, false);
  }), { numRuns: 5000 });
});
