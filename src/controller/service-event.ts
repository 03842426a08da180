/**
 * Events the controller records on Services (metallb-behaviour.md §3.4): MetalLB's types, reasons and message
 * texts, so operators' alerts and runbooks keep working. Source component: `metallb-controller`.
 */
export interface ServiceEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

export const eventSource = 'metallb-controller';

/** MetalLB's `Infof`. */
export function normalEvent(reason: string, message: string): ServiceEvent {
  return { type: 'Normal', reason, message };
}

/** MetalLB's `Errorf`. */
export function warningEvent(reason: string, message: string): ServiceEvent {
  return { type: 'Warning', reason, message };
}
