/**
 * Raised by codecs when bytes are truncated or structurally impossible. Drivers catch it in exactly one place
 * and turn it into a protocol action (a drop with a reason, or a BGP NOTIFICATION).
 */
export class WireError extends Error {
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
    this.name = 'WireError';
  }
}
