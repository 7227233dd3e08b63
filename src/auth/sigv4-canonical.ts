/**
 * The canonical request of SigV4, rebuilt from the request exactly as it arrived: the payload
 * hash, the canonical path and query, the header index and the URI encoding they rest on.
 */
import { AuthFailure } from './errors.js';
import type { IncomingSignedRequest } from './sigv4.js';
import type { Authentication } from './sigv4-authorization.js';
import { sha256Hex } from './sigv4-signing.js';

const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** A query parameter, decoded for reading and re-encoded for the canonical query. */
export interface QueryParam {
  name: string;
  value: string;
  canonicalName: string;
  canonicalValue: string;
}

/** Header values by lowercase name, in order of appearance. */
export type HeaderIndex = Map<string, string[]>;

/** The parsed request every step of the verification reads from. */
export interface ParsedRequest {
  request: IncomingSignedRequest;
  headers: HeaderIndex;
  params: QueryParam[];
}

// ---------------------------------------------------------------------------------------------
// Payload hash

/** What the client says the payload hash is, checked for shape before any key lookup. */
export function readDeclaredPayloadHash(
  parsed: ParsedRequest,
  auth: Authentication,
  s3: boolean,
): string | undefined {
  const header = headerValue(parsed.headers, 'x-amz-content-sha256');
  if (!s3) {
    return header;
  }

  const declared = header ?? (auth.presigned ? presignedPayloadHash(parsed.params) : undefined);
  if (declared === undefined) {
    throw incomplete('Missing required header for this request: x-amz-content-sha256');
  }

  // Anything else would be signed as is and leave the body unauthenticated.
  if (!isSha256Hex(declared) && declared !== UNSIGNED_PAYLOAD && !isStreaming(declared)) {
    throw incomplete(
      'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-* or a valid sha256 value.',
    );
  }
  return declared;
}

/** The JS S3 presigner hoists x-amz-content-sha256 into the query; botocore leaves it out. */
function presignedPayloadHash(params: QueryParam[]): string {
  return queryValue(params, 'X-Amz-Content-Sha256') ?? UNSIGNED_PAYLOAD;
}

/**
 * The payload hash line of the canonical request. A declared hash is checked against the body
 * so that the signature, which only covers the declared value, also covers the body.
 */
export function resolvePayloadHash(
  body: Buffer,
  declared: string | undefined,
  s3: boolean,
): string {
  if (s3 && declared !== undefined && !isSha256Hex(declared)) {
    return declared;
  }

  const actual = sha256Hex(body);
  if (declared !== undefined && declared.toLowerCase() !== actual) {
    throw new AuthFailure(
      'badSignature',
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
  }
  return declared ?? actual;
}

/** STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER and the like. */
function isStreaming(value: string): boolean {
  return value.startsWith('STREAMING-');
}

function isSha256Hex(value: string): boolean {
  return /^[0-9a-fA-F]{64}$/.test(value);
}

// ---------------------------------------------------------------------------------------------
// Canonical request

/** The canonical request: method, path, query, signed headers and payload hash, one per line. */
export function canonicalRequest(
  parsed: ParsedRequest,
  auth: Authentication,
  payloadHash: string,
  s3: boolean,
): string {
  const headerLines = auth.signedHeaders.map(
    (name) => `${name}:${headerValue(parsed.headers, name) ?? ''}\n`,
  );

  return [
    parsed.request.method,
    s3 ? canonicalS3Path(parsed.request.path) : canonicalPath(parsed.request.path),
    canonicalQuery(parsed.params, auth.presigned),
    headerLines.join(''),
    auth.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

/**
 * Other services: dot segments removed (and, like botocore and @smithy/signature-v4, empty
 * segments dropped), then every segment encoded twice. Each segment is first decoded and
 * re-encoded so that the second encoding applies to the same canonical form a signer produced.
 */
function canonicalPath(path: string): string {
  return normalizePath(path)
    .split('/')
    .map((segment) => reencode(segment).replace(/%/g, '%25'))
    .join('/');
}

/** S3 signs the path as sent: no normalization, encoded once (spellings like %7E vs ~ agree). */
function canonicalS3Path(path: string): string {
  return (path === '' ? '/' : path).split('/').map(reencode).join('/');
}

/** RFC 3986 remove_dot_segments, dropping empty segments as the AWS signers do. */
function normalizePath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '..') {
      segments.pop();
    } else if (segment !== '' && segment !== '.') {
      segments.push(segment);
    }
  }

  const trailing = segments.length > 0 && path.endsWith('/') ? '/' : '';
  return `/${segments.join('/')}${trailing}`;
}

/** Sorted by encoded name, then encoded value; a presigned URL's signature is not signed. */
function canonicalQuery(params: QueryParam[], presigned: boolean): string {
  return params
    .filter((param) => !(presigned && param.name === 'X-Amz-Signature'))
    .map((param) => [param.canonicalName, param.canonicalValue] as const)
    .sort(
      ([nameA, valueA], [nameB, valueB]) =>
        compareStrings(nameA, nameB) || compareStrings(valueA, valueB),
    )
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The query string's parameters in order of appearance, empty parts skipped. */
export function parseQuery(query: string): QueryParam[] {
  return query
    .split('&')
    .filter((part) => part !== '')
    .map(parseQueryParam);
}

/** A raw '+' stays a literal plus: the AWS signers encode spaces as %20, never as '+'. */
function parseQueryParam(part: string): QueryParam {
  const eq = part.indexOf('=');
  const name = percentDecode(eq === -1 ? part : part.slice(0, eq));
  const value = percentDecode(eq === -1 ? '' : part.slice(eq + 1));
  return {
    name: name.toString('utf8'),
    value: value.toString('utf8'),
    canonicalName: uriEncode(name),
    canonicalValue: uriEncode(value),
  };
}

/** The decoded value of a query parameter; fails with 'incomplete' when it appears twice. */
export function queryValue(params: QueryParam[], name: string): string | undefined {
  const matches = params.filter((param) => param.name === name);
  if (matches.length > 1) {
    throw incomplete(`Query-string parameter '${name}' must appear only once.`);
  }
  return matches[0]?.value;
}

/** Node's rawHeaders indexed by lowercase name, every occurrence kept in order. */
export function indexHeaders(rawHeaders: string[]): HeaderIndex {
  const index: HeaderIndex = new Map();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? '').toLowerCase();
    const values = index.get(name) ?? [];
    values.push(rawHeaders[i + 1] ?? '');
    index.set(name, values);
  }
  return index;
}

/** The canonical value: each occurrence trimmed with inner blank runs collapsed, joined by ','. */
export function headerValue(headers: HeaderIndex, name: string): string | undefined {
  return headers
    .get(name)
    ?.map((value) => value.trim().replace(/[ \t]+/g, ' '))
    .join(',');
}

// ---------------------------------------------------------------------------------------------
// URI encoding, on bytes so that invalid UTF-8 or stray '%' cannot make decoding throw

const ENCODED_BYTES = Array.from({ length: 256 }, (_, byte) => {
  const char = String.fromCharCode(byte);
  return /^[A-Za-z0-9\-_.~]$/.test(char)
    ? char
    : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
});

function percentDecode(text: string): Buffer {
  const pieces = text.split(/(%[0-9A-Fa-f]{2})/);
  return Buffer.concat(
    pieces.map((piece, i) =>
      i % 2 === 1 ? Buffer.from([parseInt(piece.slice(1), 16)]) : Buffer.from(piece, 'utf8'),
    ),
  );
}

function uriEncode(bytes: Buffer): string {
  let encoded = '';
  for (const byte of bytes) {
    encoded += ENCODED_BYTES[byte] ?? '';
  }
  return encoded;
}

function reencode(text: string): string {
  return uriEncode(percentDecode(text));
}

// ---------------------------------------------------------------------------------------------
// Malformed requests

/**
 * An AuthFailure('incomplete') for a malformed request, shared by all the SigV4 modules.
 *
 * Messages quote no client text that was not validated first: a client that pastes its secret
 * into the wrong field must not find it in the response, the logs or the audit trail.
 */
export function incomplete(message: string): AuthFailure {
  return new AuthFailure('incomplete', message);
}
