/**
 * Operational errors carry a stable `code` (branch on it, never on the message) and wrap their `cause`.
 * Messages are lowercase with the context first: `opening ARP socket on "eth0": EPERM`.
 */
export class MetallbError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MetallbError';
    this.code = code;
  }
}

/** Returns the `code` of an error-like value (Node system errors and MetallbError alike), or undefined. */
export function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** A one-line description of any thrown value, for logs and CLI output. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
