/**
 * A packet body: what one UDP datagram (or one stream frame) carries once the envelope (envelope.ts) is opened.
 *
 *   sender name (u8 length | UTF-8) | message | message | ...      (each message framed as in messages.ts)
 *
 * A packet is decoded whole before anything in it is acted on: one malformed message drops the packet.
 */
import { Reader } from '../wire/reader.js';
import { WireError } from '../wire/wire-error.js';
import { Writer } from '../wire/writer.js';
import type { DecodedMessage, Message } from './messages.js';
import { encodeMessage, nameBytes, readMessage, readName } from './messages.js';

export interface PacketBody {
  readonly sender: string;
  readonly messages: readonly DecodedMessage[];
}

/** The most messages one packet may hold (a bound on the work one datagram can cause). */
export const maxMessagesPerPacket = 256;

export function decodePacketBody(bytes: Uint8Array): PacketBody {
  const r = new Reader(bytes);
  const sender = readName(r);
  const messages: DecodedMessage[] = [];
  while (r.remaining > 0) {
    if (messages.length === maxMessagesPerPacket) {
      throw new WireError(`more than ${maxMessagesPerPacket} messages in a packet`, r.offset);
    }
    messages.push(readMessage(r));
  }
  return { sender, messages };
}

/**
 * Builds one packet body within a byte budget: the message the packet is for goes first, then piggybacked
 * gossip while it fits.
 */
export class PacketBuilder {
  private readonly w = new Writer(256);
  private readonly budgetBytes: number;
  private count = 0;

  constructor(sender: string, budgetBytes: number) {
    const name = nameBytes(sender);
    this.w.u8(name.length).bytes(name);
    this.budgetBytes = budgetBytes;
  }

  get length(): number {
    return this.w.length;
  }

  get messageCount(): number {
    return this.count;
  }

  /** Bytes still free in the budget. */
  get freeBytes(): number {
    return this.budgetBytes - this.w.length;
  }

  /** Adds a message even past the budget (the one message a packet exists for always goes). */
  add(m: Message): this {
    return this.addEncoded(encodeMessage(m), true);
  }

  /** Adds an encoded message if it fits in the budget; returns whether it did. */
  tryAddEncoded(encoded: Uint8Array): boolean {
    if (encoded.length > this.freeBytes || this.count === maxMessagesPerPacket) return false;
    this.addEncoded(encoded, false);
    return true;
  }

  private addEncoded(encoded: Uint8Array, force: boolean): this {
    if (!force && encoded.length > this.freeBytes) throw new RangeError('message does not fit the packet');
    this.w.bytes(encoded);
    this.count++;
    return this;
  }

  finish(): Uint8Array {
    return this.w.finish();
  }
}
