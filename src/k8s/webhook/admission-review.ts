/**
 * `admission.k8s.io/v1` AdmissionReview in and out. Parsing checks only what the decision reads; the reply
 * echoes the request's uid as the API server requires, with a 403 status carrying the reason on a denial and
 * the warnings kubectl prints.
 */
import { type AdmissionDecision, type AdmissionRequest, isAdmissionKind } from '../../config/admission.js';
import { metallbGroup } from '../../api/kinds.js';

export interface ParsedReview {
  readonly uid: string;
  readonly request: AdmissionRequest;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The request of a review, or why it is not one we answer (the reply is then a 400). */
export function parseAdmissionReview(body: unknown): ParsedReview | { readonly error: string } {
  if (!isRecord(body) || body['apiVersion'] !== 'admission.k8s.io/v1' || body['kind'] !== 'AdmissionReview') {
    return { error: 'expected an admission.k8s.io/v1 AdmissionReview' };
  }
  const req = body['request'];
  if (!isRecord(req) || str(req['uid']) === undefined) return { error: 'AdmissionReview without request.uid' };
  const kind = isRecord(req['kind']) ? req['kind'] : {};
  const group = str(kind['group']);
  const kindName = str(kind['kind']) ?? '';
  if (group !== metallbGroup || !isAdmissionKind(kindName)) return { error: `not a metallb.io kind this webhook checks: ${group ?? ''}/${kindName}` };
  const operation = str(req['operation']);
  if (operation !== 'CREATE' && operation !== 'UPDATE' && operation !== 'DELETE' && operation !== 'CONNECT') {
    return { error: `unknown operation ${String(operation)}` };
  }
  return {
    uid: req['uid'] as string,
    request: {
      kind: kindName,
      version: str(kind['version']) ?? '',
      operation,
      namespace: str(req['namespace']),
      name: str(req['name']) ?? nameOf(req['object']) ?? '',
      object: req['object'] ?? undefined,
      oldObject: req['oldObject'] ?? undefined,
    },
  };
}

function nameOf(obj: unknown): string | undefined {
  return isRecord(obj) && isRecord(obj['metadata']) ? str(obj['metadata']['name']) : undefined;
}

export function admissionResponse(uid: string, decision: AdmissionDecision): object {
  const response: Record<string, unknown> = { uid, allowed: decision.allowed };
  if (!decision.allowed) response['status'] = { code: 403, reason: 'Forbidden', message: decision.message };
  if (decision.warnings.length > 0) response['warnings'] = decision.warnings;
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}
