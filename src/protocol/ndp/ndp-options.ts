/**
 * Neighbor Discovery options (RFC 4861 §4.6): type, length in units of 8 octets (including the type and
 * length bytes), value. A zero length is invalid and the whole packet is discarded (§4.6, §7.1.1).
 *
 *   +--------+--------+------------------------------+
 *   |  Type  | Length |  Value (8 * Length - 2)  ...  |
 *
 * Source/Target Link-Layer Address (§4.6.1) on Ethernet have length 1 and carry the 6-byte MAC; any other
 * option (or a link-layer option of another length) is kept as raw bytes so it re-encodes unchanged.
 */
import type { Reader } from '../wire/reader.js';
import { WireError } from '../wire/wire-error.js';
import type { Writer } from '../wire/writer.js';
import { macFromBytes, macToBytes, type MacAddress } from '../ethernet/mac.js';

export const ndpOptionType = {
  sourceLinkLayerAddress: 1,
  targetLinkLayerAddress: 2,
  prefixInformation: 3,
  redirectedHeader: 4,
  mtu: 5,
  nonce: 14,
} as const;

export type NdpOption =
  | { readonly kind: 'linkLayerAddress'; readonly type: 1 | 2; readonly address: MacAddress }
  | { readonly kind: 'raw'; readonly type: number; /** 8 * length - 2 bytes */ readonly data: Uint8Array };

export function sourceLinkLayerOption(address: MacAddress): NdpOption {
  return { kind: 'linkLayerAddress', type: ndpOptionType.sourceLinkLayerAddress, address };
}

export function targetLinkLayerOption(address: MacAddress): NdpOption {
  return { kind: 'linkLayerAddress', type: ndpOptionType.targetLinkLayerAddress, address };
}

export function decodeNdpOptions(r: Reader): NdpOption[] {
  const options: NdpOption[] = [];
  while (r.remaining > 0) {
    const at = r.offset;
    const type = r.u8('ND option type');
    const units = r.u8('ND option length');
    if (units === 0) throw new WireError(`ND option ${type} with length 0`, at + 1);
    const data = r.bytes(units * 8 - 2, `ND option ${type}`);
    const isLinkLayer = type === ndpOptionType.sourceLinkLayerAddress || type === ndpOptionType.targetLinkLayerAddress;
    options.push(isLinkLayer && units === 1
      ? { kind: 'linkLayerAddress', type, address: macFromBytes(data) }
      : { kind: 'raw', type, data: Uint8Array.from(data) });
  }
  return options;
}

export function encodeNdpOptions(w: Writer, options: readonly NdpOption[]): void {
  for (const option of options) {
    if (option.kind === 'linkLayerAddress') {
      w.u8(option.type).u8(1).bytes(macToBytes(option.address));
      continue;
    }
    if ((option.data.length + 2) % 8 !== 0 || option.data.length + 2 > 255 * 8) {
      throw new RangeError(`ND option ${option.type}: ${option.data.length} data bytes do not fill whole 8-byte units`);
    }
    w.u8(option.type).u8((option.data.length + 2) / 8).bytes(option.data);
  }
}

/** The first link-layer address option of `type`, if any. */
export function findLinkLayerAddress(options: readonly NdpOption[], type: 1 | 2): MacAddress | undefined {
  for (const o of options) if (o.kind === 'linkLayerAddress' && o.type === type) return o.address;
  return undefined;
}

/** Whether any option of `type` is present (in any form). */
export function hasOption(options: readonly NdpOption[], type: number): boolean {
  return options.some((o) => o.type === type);
}
