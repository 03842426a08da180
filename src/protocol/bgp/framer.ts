/**
 * RFC 4271 §4.1 framing: cuts a TCP byte stream into whole messages and checks the header (§6.1) before any
 * body is parsed. Bodies are views into the received chunks (never reused), so they stay valid.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                           Marker (16)                         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |          Length               |      Type     |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
import { BgpError } from './bgp-error.js';
import {
  ErrorCode, HeaderSubcode, MessageType, RouteRefreshSubcode, headerBytes, markerBytes, maxMessageBytes,
  minMessageBytes, type MessageTypeCode,
} from './constants.js';

export interface Frame {
  readonly type: MessageTypeCode;
  /** The body after the 19-byte header (a view). */
  readonly body: Uint8Array;
  /** The whole message, header included (a view). */
  readonly message: Uint8Array;
}

const knownTypes: ReadonlySet<number> = new Set(Object.values(MessageType));

function u16be(buf: Uint8Array, at: number): number {
  return ((buf[at] as number) << 8) | (buf[at + 1] as number);
}

/** Checks the header at `at` (at least 19 bytes there) and returns the declared length and type. */
export function checkHeader(buf: Uint8Array, at: number): { length: number; type: MessageTypeCode } {
  for (let i = 0; i < markerBytes; i++) {
    // RFC 4271 §6.1: a marker that is not all ones is a synchronization error.
    if (buf[at + i] !== 0xff) throw new BgpError(ErrorCode.MessageHeader, HeaderSubcode.ConnectionNotSynchronized, 'marker is not all ones');
  }
  const length = u16be(buf, at + 16);
  const type = buf[at + 18] as number;
  const badLength = (why: string): BgpError =>
    new BgpError(ErrorCode.MessageHeader, HeaderSubcode.BadMessageLength, why, { data: buf.slice(at + 16, at + 18) });
  // RFC 4271 §6.1: length outside 19..4096 is Bad Message Length; data is the erroneous Length field.
  if (length < headerBytes || length > maxMessageBytes) throw badLength(`message length ${length}`);
  // RFC 4271 §6.1: an unrecognized type is Bad Message Type; data is the erroneous Type field.
  if (!knownTypes.has(type)) {
    throw new BgpError(ErrorCode.MessageHeader, HeaderSubcode.BadMessageType, `message type ${type}`, { data: Uint8Array.of(type) });
  }
  const known = type as MessageTypeCode;
  // RFC 4271 §6.1: OPEN < 29, UPDATE < 23, NOTIFICATION < 21, KEEPALIVE != 19. ROUTE-REFRESH is checked whole.
  if (known !== MessageType.RouteRefresh && length < minMessageBytes[known]) throw badLength(`type ${type} with length ${length}`);
  if (known === MessageType.Keepalive && length !== headerBytes) throw badLength(`keepalive with length ${length}`);
  return { length, type: known };
}

/** RFC 7313 §5: a ROUTE-REFRESH whose body is not 4 bytes; the data is the complete message. */
function checkRouteRefreshLength(message: Uint8Array): void {
  if (message.length !== minMessageBytes[MessageType.RouteRefresh]) {
    throw new BgpError(ErrorCode.RouteRefreshMessage, RouteRefreshSubcode.InvalidMessageLength,
      `route-refresh length ${message.length}`, { data: message.slice() });
  }
}

export interface FramerResult {
  /** The whole messages found before any error, in order. */
  readonly frames: Frame[];
  /** A header error: the session must send it as a NOTIFICATION and close. */
  readonly error?: BgpError;
}

/**
 * Splits a byte stream into messages. After a header error the framer is poisoned: every later push returns the
 * same error and no frames. It never throws.
 */
export class BgpFramer {
  private pending: Uint8Array = new Uint8Array(0);
  private failure: BgpError | undefined;

  /** Bytes received but not yet forming a whole message. */
  get bufferedBytes(): number {
    return this.pending.length;
  }

  push(chunk: Uint8Array): FramerResult {
    if (this.failure !== undefined) return { frames: [], error: this.failure };
    let buf: Uint8Array;
    if (this.pending.length === 0) {
      buf = chunk;
    } else {
      buf = new Uint8Array(this.pending.length + chunk.length);
      buf.set(this.pending, 0);
      buf.set(chunk, this.pending.length);
    }
    const frames: Frame[] = [];
    let at = 0;
    try {
      while (buf.length - at >= headerBytes) {
        const { length, type } = checkHeader(buf, at);
        if (buf.length - at < length) break;
        const message = buf.subarray(at, at + length);
        if (type === MessageType.RouteRefresh) checkRouteRefreshLength(message);
        frames.push({ type, body: message.subarray(headerBytes), message });
        at += length;
      }
    } catch (err) {
      if (!(err instanceof BgpError)) throw err;
      this.failure = err;
      this.pending = new Uint8Array(0);
      return { frames, error: err };
    }
    this.pending = at === buf.length ? new Uint8Array(0) : buf.slice(at);
    return { frames };
  }
}
