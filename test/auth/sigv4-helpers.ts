/**
 * Shared helpers of the SigV4 tests: the example credentials, requests signed by
 * @smithy/signature-v4 as the AWS SDK signs them, edits of signed requests and the failure check.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';

import { buildQueryString, HttpRequest } from '@smithy/core/protocols';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

import { AuthFailure, type AuthFailureKind } from '../../src/auth/errors.js';
import {
  verifySigV4,
  type IncomingSignedRequest,
  type VerifiedRequest,
  type VerifyOptions,
} from '../../src/auth/sigv4.js';

// The example credentials of the AWS SigV4 documentation and test suite.
/** The example access key id, the only one lookupSecret knows. */
export const ACCESS_KEY_ID = 'AKIDEXAMPLE';
/** The secret of ACCESS_KEY_ID. */
export const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
/** A secret that ACCESS_KEY_ID does not have. */
export const OTHER_SECRET = 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY';
/** A session token, sent as x-amz-security-token / X-Amz-Security-Token. */
export const SESSION_TOKEN = 'FwoGZXIvYXdzEXAMPLE+token/value==';

/** When signed and presigned sign by default. */
export const SIGNED_AT = new Date('2026-12-03T15:00:00Z');
const NOW = new Date('2026-12-03T15:02:00Z');
/** One minute in milliseconds. */
export const MINUTE = 60_000;

/** The message of every badSignature failure but the payload-hash mismatch. */
export const BAD_SIGNATURE =
  'The request signature we calculated does not match the signature you provided. ' +
  'Check your AWS Secret Access Key and signing method. ' +
  'Consult the service documentation for details.';

// ---------------------------------------------------------------------------------------------
// Helpers

/** The secret of ACCESS_KEY_ID; undefined for any other key id. */
export function lookupSecret(accessKeyId: string): string | undefined {
  return accessKeyId === ACCESS_KEY_ID ? SECRET : undefined;
}

/** verifySigV4 at NOW with lookupSecret, unless the options say otherwise. */
export function verify(
  req: IncomingSignedRequest,
  options: Partial<VerifyOptions> = {},
): Promise<VerifiedRequest> {
  return verifySigV4(req, { now: NOW, lookupSecret, ...options });
}

/** How signed and presigned sign: the defaults are ECS in us-east-1 with SECRET. */
export interface SignerOptions {
  service?: string;
  secret?: string;
  sessionToken?: string;
  /** false signs the path as it is, the way the S3 client configures the signer. */
  uriEscapePath?: boolean;
  /** false leaves out x-amz-content-sha256, like botocore does for services other than S3. */
  applyChecksum?: boolean;
}

function signer(options: SignerOptions = {}): SignatureV4 {
  return new SignatureV4({
    credentials: {
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: options.secret ?? SECRET,
      sessionToken: options.sessionToken,
    },
    region: 'us-east-1',
    service: options.service ?? 'ecs',
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: options.uriEscapePath ?? true,
    applyChecksum: options.applyChecksum ?? true,
  });
}

/** The request to sign; the defaults are a GET of / on the ECS endpoint. */
export interface RequestInit {
  method?: string;
  hostname?: string;
  /** The path as an SDK serializer produces it, i.e. as it goes on the wire. */
  path?: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string;
}

function httpRequest(init: RequestInit = {}): HttpRequest {
  const hostname = init.hostname ?? 'ecs.us-east-1.amazonaws.com';
  return new HttpRequest({
    method: init.method ?? 'GET',
    protocol: 'https:',
    hostname,
    path: init.path ?? '/',
    query: init.query ?? {},
    headers: { host: hostname, ...init.headers },
    body: init.body,
  });
}

/** What the server sees of a request an SDK signed: raw path, raw query and raw headers. */
function toIncoming(request: HttpRequest): IncomingSignedRequest {
  const body: unknown = request.body;
  return {
    method: request.method,
    path: request.path,
    query: buildQueryString(request.query),
    rawHeaders: Object.entries(request.headers).flat(),
    body: typeof body === 'string' ? Buffer.from(body) : Buffer.alloc(0),
  };
}

/** The request signed with an Authorization header by @smithy/signature-v4, as received. */
export async function signed(
  init: RequestInit = {},
  options: SignerOptions & { signingDate?: Date } = {},
): Promise<IncomingSignedRequest> {
  const request = await signer(options).sign(httpRequest(init), {
    signingDate: options.signingDate ?? SIGNED_AT,
  });
  return toIncoming(request as HttpRequest);
}

/** The request presigned by @smithy/signature-v4 (900 seconds by default), as received. */
export async function presigned(
  init: RequestInit = {},
  options: SignerOptions & { signingDate?: Date; expiresIn?: number } = {},
): Promise<IncomingSignedRequest> {
  const request = await signer(options).presign(httpRequest(init), {
    signingDate: options.signingDate ?? SIGNED_AT,
    expiresIn: options.expiresIn ?? 900,
  });
  return toIncoming(request as HttpRequest);
}

/** The request with the first header of that name given a new value, or added. */
export function withHeader(
  req: IncomingSignedRequest,
  name: string,
  value: string,
): IncomingSignedRequest {
  const rawHeaders = [...req.rawHeaders];
  const index = rawHeaders.findIndex((h, i) => i % 2 === 0 && h.toLowerCase() === name);
  if (index === -1) {
    rawHeaders.push(name, value);
  } else {
    rawHeaders[index + 1] = value;
  }
  return { ...req, rawHeaders };
}

/** The request without any header of that (lowercase) name. */
export function withoutHeader(req: IncomingSignedRequest, name: string): IncomingSignedRequest {
  const pairs = pairsOf(req.rawHeaders).filter(([h]) => h.toLowerCase() !== name);
  return { ...req, rawHeaders: pairs.flat() };
}

/** The value of the first header of that (lowercase) name; fails the test when there is none. */
export function headerOf(req: IncomingSignedRequest, name: string): string {
  const pair = pairsOf(req.rawHeaders).find(([h]) => h.toLowerCase() === name);
  assert.ok(pair, `request has no ${name} header`);
  return pair[1];
}

/** Node's rawHeaders as [name, value] pairs. */
export function pairsOf(rawHeaders: string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    pairs.push([rawHeaders[i] ?? '', rawHeaders[i + 1] ?? '']);
  }
  return pairs;
}

/** The request with its Authorization header rewritten by edit. */
export function editAuthorization(
  req: IncomingSignedRequest,
  edit: (authorization: string) => string,
): IncomingSignedRequest {
  return withHeader(req, 'authorization', edit(headerOf(req, 'authorization')));
}

/** The request with its query parameters changed by edit. */
export function editQuery(
  req: IncomingSignedRequest,
  edit: (params: URLSearchParams) => void,
): IncomingSignedRequest {
  // URLSearchParams writes spaces as '+', which these tests never put in a SigV4 parameter.
  const params = new URLSearchParams(req.query);
  edit(params);
  return { ...req, query: params.toString() };
}

/** The SHA-256 of the text, as lowercase hex. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Awaits the failure and returns it after checking its kind, its message and its secrecy. */
export async function failure(
  promise: Promise<unknown>,
  kind: AuthFailureKind,
  message?: string | RegExp,
): Promise<AuthFailure> {
  const error: unknown = await promise.then(
    () => assert.fail(`expected AuthFailure '${kind}', but the request was accepted`),
    (reason: unknown) => reason,
  );

  assert.ok(error instanceof AuthFailure, `expected AuthFailure, got ${String(error)}`);
  assert.equal(error.kind, kind, error.message);
  if (typeof message === 'string') {
    assert.equal(error.message, message);
  } else if (message !== undefined) {
    assert.match(error.message, message);
  }
  assert.ok(!error.message.includes(SECRET), 'the message contains the secret');
  return error;
}

/** An ECS ListClusters call as the AWS JSON protocol sends it. */
export const jsonPost = {
  method: 'POST',
  headers: {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters',
  },
  body: '{"maxResults":10}',
} satisfies RequestInit;

// ---------------------------------------------------------------------------------------------
// Fixed vectors

/** Builds an Authorization header of the example key. */
export function authorization(service: string, signedHeaders: string, signature: string): string {
  return (
    `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/20150830/us-east-1/${service}/aws4_request, ` +
    `SignedHeaders=${signedHeaders}, Signature=${signature}`
  );
}

/** A request exactly as given: the target is split into the raw path and the raw query. */
export function vector(
  method: string,
  target: string,
  rawHeaders: string[],
  body = '',
): IncomingSignedRequest {
  const [path = '', query = ''] = target.split('?');
  return { method, path, query, rawHeaders, body: Buffer.from(body) };
}
