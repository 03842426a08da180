import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../lib/clock.js';
import { Keyring, deriveKey } from './keyring.js';

const body = Uint8Array.of(1, 0x61, 3, 0, 4, 0, 0, 0, 1);
const peer = { ip: '10.0.0.2', port: 7946 };
const other = { ip: '10.0.0.3', port: 7946 };

test('the same secret gives the same 32-byte key, and surrounding whitespace of a file does not matter', () => {
  const k = deriveKey('a2V5LWJ5dGVzLTE2LWxvbmc');
  assert.equal(k.length, 32);
  assert.deepEqual(deriveKey('a2V5LWJ5dGVzLTE2LWxvbmc\n'), k);
  assert.notDeepEqual(deriveKey('another'), k);
  assert.throws(() => deriveKey(''), RangeError);
});

test('nonces never repeat: a per-process prefix and a counter', () => {
  const ring = new Keyring('s', { clock: new FakeClock() });
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) seen.add(Buffer.from(ring.seal(body, peer).subarray(2, 14)).toString('hex'));
  assert.equal(seen.size, 1000);
});

test('after a new secret both keys open, and the old one expires after the grace period', () => {
  const clock = new FakeClock();
  const oldSide = new Keyring('old', { clock });
  const rotated = new Keyring('old', { clock, rotationGraceMs: 60_000 });
  rotated.setSecret('new');
  assert.equal(rotated.keyCount, 2);
  assert.equal(rotated.open(oldSide.seal(body, peer), peer).ok, true);
  clock.advance(60_000);
  assert.equal(rotated.keyCount, 1);
  assert.deepEqual(rotated.open(oldSide.seal(body, peer), peer), { ok: false, reason: 'authFailed' });
});

test('during a rotation each peer is answered with the key it last used, others with the new primary', () => {
  const clock = new FakeClock();
  const oldOnly = new Keyring('old', { clock });
  const newOnly = new Keyring('new', { clock });
  const rotated = new Keyring('old', { clock });
  rotated.setSecret('new');
  assert.equal(rotated.open(oldOnly.seal(body, peer), peer).ok, true);
  assert.equal(oldOnly.open(rotated.seal(body, peer), peer).ok, true, 'the old-key peer can read our answer');
  assert.equal(newOnly.open(rotated.seal(body, other), other).ok, true, 'a peer we never heard from gets the new key');
  assert.equal(oldOnly.open(rotated.seal(body, other), other).ok, false);
});

test('setting the same secret again is not a rotation', () => {
  const ring = new Keyring('same', { clock: new FakeClock() });
  ring.setSecret('same');
  assert.equal(ring.keyCount, 1);
});

test('without a secret the ring seals plain packets and refuses sealed ones', () => {
  const plain = new Keyring(undefined, { clock: new FakeClock() });
  assert.equal(plain.encrypted, false);
  const sealed = new Keyring('k', { clock: new FakeClock() }).seal(body, peer);
  assert.deepEqual(plain.open(sealed, peer), { ok: false, reason: 'noKey' });
  assert.equal(plain.open(plain.seal(body, peer), peer).ok, true);
});
