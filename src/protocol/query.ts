import type { AuthFailure } from '../auth/errors.js';
import { toQueryXml } from '../model/encode.js';
import type { ServiceModel } from '../model/service-model.js';
import { decodeQueryInput } from '../model/validate.js';
import { UnknownOperationException } from './common-errors.js';
import { AwsError } from './errors.js';
import type { Protocol, ProtocolRequest, ProtocolResponse } from './protocol.js';

/** The AWS Query protocol (STS): form parameters in, XML out. */
export const query: Protocol = {
  operation(model: ServiceModel, request: ProtocolRequest): string {
    const params = formParameters(request);
    const operation = params.get('Action') ?? '';
    if (!Object.hasOwn(model.operations, operation)) {
      const version = params.get('Version') ?? '';
      throw new UnknownOperationException(
        `Could not find operation ${operation} for version ${version}`,
      );
    }
    return operation;
  },

  rawInput(request: ProtocolRequest): unknown {
    return formParameters(request);
  },

  decodeInput(model, operation, raw) {
    return decodeQueryInput(
      model,
      operation,
      raw instanceof URLSearchParams ? raw : new URLSearchParams(),
    );
  },

  encodeOutput(model, operation, output, requestId): ProtocolResponse {
    return {
      status: 200,
      headers: xmlHeaders(requestId),
      body: toQueryXml(model, operation, output, requestId),
    };
  },

  encodeError(error: AwsError, requestId: string): ProtocolResponse {
    const body =
      '<ErrorResponse><Error>' +
      `<Type>${error.fault}</Type><Code>${escapeXml(error.code)}</Code>` +
      `<Message>${escapeXml(error.message)}</Message>` +
      `</Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
    return { status: error.status, headers: xmlHeaders(requestId), body };
  },

  authError(failure: AuthFailure): AwsError {
    const [code, status] = QUERY_AUTH_CODES[failure.kind];
    return new AwsError(code, failure.message, status);
  },
};

/** The codes and statuses Query services answer each kind of failed authentication with. */
const QUERY_AUTH_CODES: Record<AuthFailure['kind'], [string, number]> = {
  missing: ['MissingAuthenticationToken', 403],
  incomplete: ['IncompleteSignature', 400],
  unknownKey: ['InvalidClientTokenId', 403],
  badSignature: ['SignatureDoesNotMatch', 403],
  expired: ['SignatureDoesNotMatch', 403],
  notYetValid: ['SignatureDoesNotMatch', 403],
  badScope: ['SignatureDoesNotMatch', 403],
};

function formParameters(request: ProtocolRequest): URLSearchParams {
  if (request.method === 'GET') return new URLSearchParams(request.query);
  return new URLSearchParams(request.body.toString('utf8'));
}

function xmlHeaders(requestId: string): Record<string, string> {
  return { 'content-type': 'text/xml', 'x-amzn-RequestId': requestId };
}

/** Escapes text for an XML element body. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
