/**
 * MAC addresses (IEEE 802) as canonical lowercase colon text, `02:00:00:00:00:0b`: easy to compare, log and
 * use as a map key. Bytes only at the codec boundary.
 */
import { WireError } from '../wire/wire-error.js';

export type MacAddress = string;

export const broadcastMac: MacAddress = 'ff:ff:ff:ff:ff:ff';
export const zeroMac: MacAddress = '00:00:00:00:00:00';

const macPattern = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

/** Canonical form of `aa:bb:cc:dd:ee:ff` (any case); undefined when it is not one. */
export function parseMac(text: string): MacAddress | undefined {
  return macPattern.test(text) ? text.toLowerCase() : undefined;
}

export function macFromBytes(bytes: Uint8Array, offset = 0): MacAddress {
  if (offset + 6 > bytes.length) throw new WireError('truncated MAC address', offset);
  let out = '';
  for (let i = 0; i < 6; i++) {
    const b = bytes[offset + i] as number;
    out += (i === 0 ? '' : ':') + (b < 16 ? '0' : '') + b.toString(16);
  }
  return out;
}

export function macToBytes(mac: MacAddress): Uint8Array {
  const canonical = parseMac(mac);
  if (canonical === undefined) throw new RangeError(`not a MAC address: "${mac}"`);
  return Uint8Array.from(canonical.split(':').map((h) => parseInt(h, 16)));
}

/** The group bit (I/G) of the first octet: broadcast and multicast destinations. */
export function isMulticastMac(mac: MacAddress): boolean {
  return (parseInt(mac.slice(0, 2), 16) & 1) === 1;
}
