/**
 * A failed API request, rendered as the `Status` object the real API server answers with
 * (`{kind: "Status", status: "Failure", reason, code, message, details}`), with the matching HTTP code.
 */
export type StatusReason =
  | 'BadRequest' | 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Invalid' | 'UnsupportedMediaType'
  | 'Expired' | 'MethodNotAllowed' | 'TooManyRequests' | 'InternalError' | 'Forbidden' | 'NotAcceptable'
  | 'ServiceUnavailable' | 'Timeout';

export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly causes?: readonly { readonly reason: string; readonly message: string; readonly field: string }[];
  readonly retryAfterSeconds?: number;
}

export interface StatusObject {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly metadata: Record<string, never>;
  readonly status: 'Failure';
  readonly message: string;
  readonly reason: StatusReason;
  readonly details?: StatusDetails;
  readonly code: number;
}

export class ApiError extends Error {
  readonly httpCode: number;
  readonly reason: StatusReason;
  readonly details: StatusDetails | undefined;

  constructor(httpCode: number, reason: StatusReason, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'ApiError';
    this.httpCode = httpCode;
    this.reason = reason;
    this.details = details;
  }

  toStatus(): StatusObject {
    return {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason,
      ...(this.details === undefined ? {} : { details: this.details }), code: this.httpCode,
    };
  }

  static badRequest(message: string): ApiError {
    return new ApiError(400, 'BadRequest', message);
  }

  static notFound(resource: string, name: string, group: string): ApiError {
    return new ApiError(404, 'NotFound', `${qualified(resource, group)} "${name}" not found`, { name, group, kind: resource });
  }

  static alreadyExists(resource: string, name: string, group: string): ApiError {
    return new ApiError(409, 'AlreadyExists', `${qualified(resource, group)} "${name}" already exists`, { name, group, kind: resource });
  }

  static conflict(resource: string, name: string, group: string, why: string): ApiError {
    return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(resource, group)} "${name}": ${why}`,
      { name, group, kind: resource });
  }

  static invalid(kind: string, name: string, group: string, causes: { field: string; message: string }[]): ApiError {
    const text = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
    return new ApiError(422, 'Invalid', `${kind}${group === '' ? '' : `.${group}`} "${name}" is invalid: ${text}`, {
      name, group, kind, causes: causes.map((c) => ({ reason: 'FieldValueInvalid', message: c.message, field: c.field })),
    });
  }
}

function qualified(resource: string, group: string): string {
  return group === '' ? resource : `${resource}.${group}`;
}
