/**
 * One BGP message, decoded from a frame (see framer.ts) or encoded with its header. Decoding needs the negotiated
 * `CodecContext` (RFC 6793: AS width) for UPDATEs.
 */
import { Writer } from '../wire/writer.js';
import { WireError } from '../wire/wire-error.js';
import { assert, assertNever } from '../../lib/assert.js';
import { BgpError, type UpdateProblem } from './bgp-error.js';
import {
  ErrorCode, HeaderSubcode, MessageType, OpenSubcode, UpdateSubcode, headerBytes, markerBytes, maxMessageBytes, type MessageTypeCode,
} from './constants.js';
import type { CodecContext } from './attributes.js';
import type { Frame } from './framer.js';
import { decodeOpen, encodeOpenBody, type Open } from './open.js';
import { decodeUpdate, encodeUpdateBody, type Update } from './update.js';
import { decodeNotification, encodeNotificationBody, type Notification } from './notification.js';
import { decodeRouteRefresh, encodeRouteRefreshBody, type RouteRefresh } from './route-refresh.js';

export interface Keepalive {
  readonly type: 'keepalive';
}

export type BgpMessage = Open | Update | Notification | Keepalive | RouteRefresh;

export interface DecodedMessage {
  readonly message: BgpMessage;
  /** RFC 7606 problems of an UPDATE that did not reset the session (empty otherwise). */
  readonly problems: readonly UpdateProblem[];
}

const noProblems: readonly UpdateProblem[] = [];

/**
 * Decodes a framed message. Throws only BgpError: a WireError inside a body (a structure shorter than it says)
 * becomes the error its message type calls for.
 */
export function decodeMessage(frame: Frame, ctx: CodecContext): DecodedMessage {
  try {
    switch (frame.type) {
      case MessageType.Open: return { message: decodeOpen(frame.body), problems: noProblems };
      case MessageType.Update: {
        const { update, problems } = decodeUpdate(frame.body, ctx);
        return { message: update, problems };
      }
      case MessageType.Notification: return { message: decodeNotification(frame.body), problems: noProblems };
      case MessageType.Keepalive: return { message: { type: 'keepalive' }, problems: noProblems };
      case MessageType.RouteRefresh: return { message: decodeRouteRefresh(frame.body), problems: noProblems };
      default: return assertNever(frame.type, 'message type');
    }
  } catch (err) {
    if (!(err instanceof WireError)) throw err;
    switch (frame.type) {
      // RFC 4271 §4.5: no specific subcode -> 0 (unspecific) within the message's own error code.
      case MessageType.Open: throw new BgpError(ErrorCode.OpenMessage, OpenSubcode.Unspecific, `open: ${err.message}`);
      case MessageType.Update: throw new BgpError(ErrorCode.UpdateMessage, UpdateSubcode.MalformedAttributeList, `update: ${err.message}`);
      default: throw new BgpError(ErrorCode.MessageHeader, HeaderSubcode.BadMessageLength, `message: ${err.message}`);
    }
  }
}

function typeOf(m: BgpMessage): MessageTypeCode {
  switch (m.type) {
    case 'open': return MessageType.Open;
    case 'update': return MessageType.Update;
    case 'notification': return MessageType.Notification;
    case 'keepalive': return MessageType.Keepalive;
    case 'routeRefresh': return MessageType.RouteRefresh;
    default: return assertNever(m, 'message');
  }
}

/** Encodes a message with its header. Asserts it fits in 4096 bytes (callers split large UPDATEs). */
export function encodeMessage(m: BgpMessage, ctx: CodecContext): Uint8Array {
  const w = new Writer(m.type === 'update' ? 512 : 64);
  for (let i = 0; i < markerBytes; i++) w.u8(0xff);
  const lengthAt = w.reserve(2);
  w.u8(typeOf(m));
  switch (m.type) {
    case 'open': encodeOpenBody(w, m); break;
    case 'update': encodeUpdateBody(w, m, ctx); break;
    case 'notification': encodeNotificationBody(w, m); break;
    case 'keepalive': break;
    case 'routeRefresh': encodeRouteRefreshBody(w, m); break;
    default: assertNever(m, 'message');
  }
  assert(w.length <= maxMessageBytes, `${m.type} of ${w.length} bytes exceeds ${maxMessageBytes}`);
  w.patchU16(lengthAt, w.length);
  return w.finish();
}

export const keepaliveBytes: Uint8Array = (() => {
  const b = new Uint8Array(headerBytes).fill(0xff);
  b[16] = 0;
  b[17] = headerBytes;
  b[18] = MessageType.Keepalive;
  return b;
})();
