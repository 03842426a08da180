/**
 * NOTIFICATION (RFC 4271 §4.5): Error code(1) Error subcode(1) Data(variable). RFC 8203/9003 shutdown
 * communication: Cease/Administrative Shutdown or Reset data may be a length-prefixed UTF-8 message.
 */
import { Reader } from '../wire/reader.js';
import type { Writer } from '../wire/writer.js';
import { CeaseSubcode, ErrorCode } from './constants.js';

export interface Notification {
  readonly type: 'notification';
  readonly code: number;
  readonly subcode: number;
  readonly data: Uint8Array;
}

export function decodeNotification(body: Uint8Array): Notification {
  const r = new Reader(body);
  const code = r.u8();
  const subcode = r.u8();
  return { type: 'notification', code, subcode, data: r.rest().slice() };
}

export function encodeNotificationBody(w: Writer, n: Notification): void {
  w.u8(n.code).u8(n.subcode).bytes(n.data);
}

const codeNames: Readonly<Record<number, string>> = {
  [ErrorCode.MessageHeader]: 'message header error',
  [ErrorCode.OpenMessage]: 'open message error',
  [ErrorCode.UpdateMessage]: 'update message error',
  [ErrorCode.HoldTimerExpired]: 'hold timer expired',
  [ErrorCode.FiniteStateMachine]: 'finite state machine error',
  [ErrorCode.Cease]: 'cease',
  [ErrorCode.RouteRefreshMessage]: 'route-refresh message error',
};

/** `cease/2` style text for logs and reasons, with the code's name. */
export function describeNotification(code: number, subcode: number): string {
  return `${codeNames[code] ?? `error code ${code}`} (${code}/${subcode})`;
}

/** RFC 9003: the operator's shutdown message carried by Cease/Administrative Shutdown or Reset, if any. */
export function shutdownCommunication(n: Notification): string | undefined {
  if (n.code !== ErrorCode.Cease) return undefined;
  if (n.subcode !== CeaseSubcode.AdministrativeShutdown && n.subcode !== CeaseSubcode.AdministrativeReset) return undefined;
  const length = n.data[0];
  if (length === undefined || length === 0 || length + 1 > n.data.length) return undefined;
  return new TextDecoder('utf-8', { fatal: false }).decode(n.data.subarray(1, 1 + length));
}
