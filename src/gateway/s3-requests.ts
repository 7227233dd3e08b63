import type { IncomingMessage } from 'node:http';
import { AuthFailure } from '../auth/errors.js';
import type { IncomingSignedRequest, VerifiedRequest } from '../auth/sigv4.js';
import { ChunkedBodyError, decodeChunkedBody, isStreamingPayload } from '../auth/sigv4-chunked.js';
import type { ProtocolRequest } from '../protocol/protocol.js';
import { RestXmlError } from '../protocol/rest-xml.js';

/** The request body is over the object size limit. */
export class EntityTooLarge extends RestXmlError {
  constructor(limit: number) {
    super('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed object size.', 400, {
      MaxSizeAllowed: String(limit),
    });
  }
}

const HEADER_SCOPE = /Credential=[^/,\s]+\/\d{8}\/[^/,\s]+\/s3\/aws4_request/;
const QUERY_SCOPE = /(?:^|&)X-Amz-Credential=[^&]*(?:%2F|\/)s3(?:%2F|\/)aws4_request/i;

/**
 * Whether the request is signed for S3, read before the body (and so before verification):
 * S3 object bodies may be far larger than the other services' request documents.
 */
export function signedForS3(req: IncomingMessage): boolean {
  const authorization = req.headers.authorization;
  if (typeof authorization === 'string') return HEADER_SCOPE.test(authorization);
  const target = req.url ?? '';
  const mark = target.indexOf('?');
  return mark >= 0 && QUERY_SCOPE.test(target.slice(mark + 1));
}

/**
 * The request as S3 operations see it: an aws-chunked body decoded (its chunk signatures and
 * trailing checksum verified), `aws-chunked` dropped from Content-Encoding and Content-Length
 * set to the decoded size. Other requests pass unchanged.
 */
export function decodeS3Body(
  request: ProtocolRequest,
  signed: IncomingSignedRequest,
  verified: VerifiedRequest,
  secret: string | undefined,
): ProtocolRequest {
  if (!isStreamingPayload(signed)) return request;
  if (secret === undefined) {
    throw new AuthFailure('unknownKey', 'The security token included in the request is invalid.');
  }

  let decoded;
  try {
    decoded = decodeChunkedBody(signed, verified, secret);
  } catch (thrown) {
    if (thrown instanceof ChunkedBodyError) {
      throw new RestXmlError(thrown.code, thrown.message, 400);
    }
    throw thrown;
  }

  const headers: Record<string, string | string[] | undefined> = {
    ...request.headers,
    'content-length': String(decoded.body.length),
    ...decoded.trailers,
  };
  const encoding = stripChunked(request.headers['content-encoding']);
  if (encoding === undefined) delete headers['content-encoding'];
  else headers['content-encoding'] = encoding;
  return { ...request, headers, body: decoded.body };
}

/** `aws-chunked` only describes the transfer; the object keeps any other coding it names. */
function stripChunked(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  const rest = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '' && part.toLowerCase() !== 'aws-chunked');
  return rest.length === 0 ? undefined : rest.join(',');
}
