import { createHash } from 'node:crypto';
import type { AuthFailure } from '../auth/errors.js';
import type { ServiceModel } from '../model/service-model.js';
import { AwsError } from './errors.js';
import type { Protocol, ProtocolRequest, ProtocolResponse } from './protocol.js';
import { decodeRestXmlInput, MalformedBody, type RestXmlRaw } from './rest-xml-input.js';
import { encodeRestXmlOutput } from './rest-xml-output.js';
import { matchOperation, requestTarget } from './rest-xml-routing.js';
import { escapeXmlText } from './xml.js';

/**
 * An error answered in S3's XML shape, with the extra elements S3 adds for its code
 * (`<BucketName>`, `<Key>`, `<Condition>`…) after `<Message>`.
 */
export class RestXmlError extends AwsError {
  constructor(
    code: string,
    message: string,
    status: number,
    readonly details: Readonly<Record<string, string>> = {},
  ) {
    super(code, message, status);
  }
}

/** The method is not allowed against the resource (no operation answers it). */
export class MethodNotAllowed extends RestXmlError {
  constructor(method: string, resourceType: string) {
    super('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405, {
      Method: method,
      ResourceType: resourceType,
    });
  }
}

/** The XML body is not well-formed or not the document the operation takes. */
export class MalformedXML extends RestXmlError {
  constructor() {
    super(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
      400,
    );
  }
}

/** The headers S3 adds to every answer, errors included. */
export function s3ResponseHeaders(requestId: string): Record<string, string> {
  // x-amz-id-2 is an opaque host id in S3; here it is derived from the request id.
  const hostId = createHash('sha256').update(requestId).digest('base64');
  return { 'x-amz-request-id': requestId, 'x-amz-id-2': hostId };
}

/** S3's REST-XML protocol: the operation from method, path and query; XML documents out. */
export const restXml: Protocol = {
  operation(model: ServiceModel, request: ProtocolRequest): string {
    const target = requestTarget(request);
    const operation = matchOperation(model, request, target);
    if (operation === undefined) {
      const level = target.key !== undefined ? 'OBJECT' : target.bucket ? 'BUCKET' : 'SERVICE';
      throw new MethodNotAllowed(request.method, level);
    }
    return operation;
  },

  rawInput(request: ProtocolRequest): RestXmlRaw {
    return {
      target: requestTarget(request),
      params: new URLSearchParams(request.query),
      headers: request.headers,
      body: request.body,
    };
  },

  decodeInput(model, operation, raw) {
    try {
      return decodeRestXmlInput(model, operation, raw as RestXmlRaw);
    } catch (thrown) {
      if (thrown instanceof MalformedBody) throw new MalformedXML();
      throw thrown;
    }
  },

  encodeOutput(model, operation, output, requestId): ProtocolResponse {
    return encodeRestXmlOutput(model, operation, output, s3ResponseHeaders(requestId));
  },

  encodeError(error: AwsError, requestId: string): ProtocolResponse {
    const details = error instanceof RestXmlError ? error.details : {};
    const extra = Object.entries(details)
      .map(([name, value]) => `<${name}>${escapeXmlText(value)}</${name}>`)
      .join('');
    const hostId = s3ResponseHeaders(requestId)['x-amz-id-2'] ?? '';
    const body =
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error>' +
      `<Code>${escapeXmlText(error.code)}</Code><Message>${escapeXmlText(error.message)}</Message>` +
      `${extra}<RequestId>${requestId}</RequestId><HostId>${hostId}</HostId></Error>`;
    return {
      status: error.status,
      headers: { ...s3ResponseHeaders(requestId), 'content-type': 'application/xml' },
      body,
    };
  },

  authError(failure: AuthFailure): AwsError {
    const [code, status, message] = S3_AUTH_ERRORS[failure.kind];
    return new RestXmlError(code, message ?? failure.message, status);
  },
};

/** How S3 answers each kind of failed authentication: code, status and, where fixed, text. */
const S3_AUTH_ERRORS: Record<AuthFailure['kind'], [string, number, string?]> = {
  missing: ['AccessDenied', 403, 'Access Denied'],
  incomplete: ['AuthorizationHeaderMalformed', 400],
  unknownKey: [
    'InvalidAccessKeyId',
    403,
    'The AWS Access Key Id you provided does not exist in our records.',
  ],
  badSignature: ['SignatureDoesNotMatch', 403],
  expired: [
    'RequestTimeTooSkewed',
    403,
    'The difference between the request time and the current time is too large.',
  ],
  notYetValid: [
    'RequestTimeTooSkewed',
    403,
    'The difference between the request time and the current time is too large.',
  ],
  badScope: ['AuthorizationHeaderMalformed', 400],
};
