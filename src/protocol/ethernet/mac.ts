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
  if (!macPattern.test(mac)) throw new RangeError(`not a MAC address: "${mac}"`);
  const out = new Uint8Array(6);
  for (let i = 0; i < 6; i++) out[i] = parseInt(mac.slice(i * 3, i * 3 + 2), 16);
  return out;
}

/** The group bit (I/G) of the first octet: broadcast and multicast destinations. */
export function isMulticastMac(mac: MacAddress): boolean {
  return (parseInt(mac.slice(0, 2), 16) & 1) === 1;
}
