/**
 * Which NOTIFICATION code/subcode pairs RFC 4271 §6 (and RFC 4760, 6608, 7313, 7606) allow as the answer to a
 * received message of a given type. Used by the codec properties and the bench fuzz run.
 */
const allowed: Readonly<Record<number, ReadonlySet<string>>> = {
  // Any message can fail its header checks.
  0: new Set(['1/1', '1/2', '1/3']),
  1: new Set(['2/0', '2/1', '2/2', '2/3', '2/4', '2/6', '2/7', '5/1', '5/2', '5/3']),
  2: new Set(['3/1', '3/2', '3/3', '3/4', '3/5', '3/6', '3/8', '3/9', '3/10', '3/11', '5/1', '5/2']),
  3: new Set([]),
  4: new Set(['5/1']),
  5: new Set(['7/1', '5/1', '5/2']),
};

/** True when `code/subcode` is an RFC-correct answer to a message of `type` (header errors always are). */
export function isRfcCorrectNotification(type: number | undefined, code: number, subcode: number): boolean {
  const key = `${code}/${subcode}`;
  if (allowed[0]!.has(key)) return true;
  return type !== undefined && (allowed[type]?.has(key) ?? false);
}
