import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';

import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { buildQueryString, HttpRequest } from '@smithy/core/protocols';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

import { AuthFailure, type AuthFailureKind } from '../../src/auth/errors.js';
import {
  readCredentialScope,
  verifySigV4,
  type IncomingSignedRequest,
  type VerifiedRequest,
  type VerifyOptions,
} from '../../src/auth/sigv4.js';

// The example credentials of the AWS SigV4 documentation and test suite.
const ACCESS_KEY_ID = 'AKIDEXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const OTHER_SECRET = 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY';
const SESSION_TOKEN = 'FwoGZXIvYXdzEXAMPLE+token/value==';

const SIGNED_AT = new Date('2026-12-03T15:00:00Z');
const NOW = new Date('2026-12-03T15:02:00Z');
const MINUTE = 60_000;

const BAD_SIGNATURE =
  'The request signature we calculated does not match the signature you provided. ' +
  'Check your AWS Secret Access Key and signing method. ' +
  'Consult the service documentation for details.';

// ---------------------------------------------------------------------------------------------
// Helpers

function lookupSecret(accessKeyId: string): string | undefined {
  return accessKeyId === ACCESS_KEY_ID ? SECRET : undefined;
}

function verify(
  req: IncomingSignedRequest,
  options: Partial<VerifyOptions> = {},
): Promise<VerifiedRequest> {
  return verifySigV4(req, { now: NOW, lookupSecret, ...options });
}

interface SignerOptions {
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

interface RequestInit {
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

async function signed(
  init: RequestInit = {},
  options: SignerOptions & { signingDate?: Date } = {},
): Promise<IncomingSignedRequest> {
  const request = await signer(options).sign(httpRequest(init), {
    signingDate: options.signingDate ?? SIGNED_AT,
  });
  return toIncoming(request as HttpRequest);
}

async function presigned(
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
function withHeader(
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

function withoutHeader(req: IncomingSignedRequest, name: string): IncomingSignedRequest {
  const pairs = pairsOf(req.rawHeaders).filter(([h]) => h.toLowerCase() !== name);
  return { ...req, rawHeaders: pairs.flat() };
}

function headerOf(req: IncomingSignedRequest, name: string): string {
  const pair = pairsOf(req.rawHeaders).find(([h]) => h.toLowerCase() === name);
  assert.ok(pair, `request has no ${name} header`);
  return pair[1];
}

function pairsOf(rawHeaders: string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    pairs.push([rawHeaders[i] ?? '', rawHeaders[i + 1] ?? '']);
  }
  return pairs;
}

function editAuthorization(
  req: IncomingSignedRequest,
  edit: (authorization: string) => string,
): IncomingSignedRequest {
  return withHeader(req, 'authorization', edit(headerOf(req, 'authorization')));
}

function editQuery(
  req: IncomingSignedRequest,
  edit: (params: URLSearchParams) => void,
): IncomingSignedRequest {
  // URLSearchParams writes spaces as '+', which these tests never put in a SigV4 parameter.
  const params = new URLSearchParams(req.query);
  edit(params);
  return { ...req, query: params.toString() };
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Awaits the failure and returns it after checking its kind, its message and its secrecy. */
async function failure(
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

const jsonPost = {
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
function authorization(service: string, signedHeaders: string, signature: string): string {
  return (
    `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/20150830/us-east-1/${service}/aws4_request, ` +
    `SignedHeaders=${signedHeaders}, Signature=${signature}`
  );
}

/** Presigned query parameters of the example key, before the request's own parameters. */
function presignedQuery(service: string, expires: number, signature: string): string {
  return [
    'X-Amz-Algorithm=AWS4-HMAC-SHA256',
    `X-Amz-Credential=${ACCESS_KEY_ID}%2F20150830%2Fus-east-1%2F${service}%2Faws4_request`,
    'X-Amz-Date=20150830T123600Z',
    `X-Amz-Expires=${expires}`,
    'X-Amz-SignedHeaders=host',
    `X-Amz-Signature=${signature}`,
  ].join('&');
}

interface Vector {
  name: string;
  s3?: boolean;
  request: IncomingSignedRequest;
}

function vector(
  method: string,
  target: string,
  rawHeaders: string[],
  body = '',
): IncomingSignedRequest {
  const [path = '', query = ''] = target.split('?');
  return { method, path, query, rawHeaders, body: Buffer.from(body) };
}

const VECTOR_NOW = new Date('2015-08-30T12:40:00Z');

// Signed by botocore 1.43.11, the library under aws-cli, with the example key: an AWSRequest of
// the URL, headers and body below passed to SigV4Auth / S3SigV4Auth / SigV4QueryAuth /
// S3SigV4QueryAuth (region us-east-1) with botocore.auth.get_current_datetime patched to
// 2015-08-30T12:36:00Z. Host is the URL's host, which botocore signs without adding a header.
const BOTOCORE_VECTORS: Vector[] = [
  {
    name: 'a path with a space, %2F, unicode and ~, and a query with repeated keys',
    request: vector(
      'GET',
      '/my%20path/caf%C3%A9/a%2Fb/~tilde/?q=a%20b&plus=1%2B2&empty=&tilde=~x&z=%E2%9C%93&a=2&a=1',
      [
        ...['Host', 'example.amazon.com', 'X-Amz-Date', '20150830T123600Z', 'Authorization'],
        authorization(
          'service',
          'host;x-amz-date',
          '1bda993b4b79d82c365e93146c3bb66eb1146e52fbd8943b4db65bfae8cd6764',
        ),
      ],
    ),
  },
  {
    name: 'a path with dot segments and a double slash',
    request: vector('GET', '/a/./b/../c//d', [
      ...['Host', 'example.amazon.com', 'X-Amz-Date', '20150830T123600Z', 'Authorization'],
      authorization(
        'service',
        'host;x-amz-date',
        '29b314260c681a5e4076debfcf4d0960b7ace0655f44cf7ab934c7d51276d95a',
      ),
    ]),
  },
  {
    name: 'an ECS JSON POST as aws-cli sends it',
    request: vector(
      'POST',
      '/',
      [
        ...['Host', 'ecs.us-east-1.amazonaws.com'],
        ...['Content-Type', 'application/x-amz-json-1.1'],
        ...['X-Amz-Target', 'AmazonEC2ContainerServiceV20141113.ListClusters'],
        ...['X-Amz-Date', '20150830T123600Z', 'Authorization'],
        authorization(
          'ecs',
          'content-type;host;x-amz-date;x-amz-target',
          '72ef431968ce01533229ae66dc760665e3b0498d448583c7bb848a233b3ccb0d',
        ),
      ],
      '{}',
    ),
  },
  {
    name: 'an S3 PUT with a body hash and a key with //, %20, unicode, %2B and ~',
    s3: true,
    request: vector(
      'PUT',
      '/dir//key%20with%20space/caf%C3%A9%2Bplus~',
      [
        ...['Host', 'bucket.s3.amazonaws.com', 'Content-Type', 'text/plain'],
        ...['X-Amz-Date', '20150830T123600Z', 'X-Amz-Content-SHA256', sha256Hex('hello')],
        'Authorization',
        authorization(
          's3',
          'content-type;host;x-amz-content-sha256;x-amz-date',
          '473ca3a00908eda95f136e6a8c5a97172b64b6370a8de9b5cfc56ca9886f4f34',
        ),
      ],
      'hello',
    ),
  },
  {
    name: 'an S3 presigned GET without x-amz-content-sha256',
    s3: true,
    request: vector(
      'GET',
      '/photos/my%20cat.jpg?versionId=v%2B1&' +
        presignedQuery(
          's3',
          3600,
          '43cc2ca0719bd292a0214355f226107a05499c917d3b265763978654cd1f50ee',
        ),
      ['Host', 'bucket.s3.amazonaws.com'],
    ),
  },
  {
    name: 'a presigned GET of another service',
    request: vector(
      'GET',
      '/items/a%20b?Action=List&Filter=x%2Fy&' +
        presignedQuery(
          'service',
          600,
          'a50ad8d1cd7ef46f1d2ae88760085c2881e581ef06b10fb81c165a53bd9f2725',
        ),
      ['Host', 'example.amazon.com'],
    ),
  },
  {
    name: 'a request dated by the Date header',
    request: vector('GET', '/', [
      ...['Host', 'example.amazonaws.com', 'Date', 'Sun, 30 Aug 2015 12:36:00 -0000'],
      'Authorization',
      authorization(
        'service',
        'date;host',
        '7680771e48fa28c7db272da980f990fa8ee39dee61905c4203f5da9d3d48ac86',
      ),
    ]),
  },
  {
    name: 'duplicated headers and values with runs of spaces',
    request: vector('GET', '/', [
      ...['Host', 'example.amazonaws.com'],
      ...['My-Header1', 'value2', 'My-Header1', '  value1   with  spaces ', 'My-Header2', 'a'],
      ...['X-Amz-Date', '20150830T123600Z', 'Authorization'],
      authorization(
        'service',
        'host;my-header1;my-header2;x-amz-date',
        '3cee37862e7af6a2632d82d0ab90061577f033f155e474b17fa3425b6ebc9d6a',
      ),
    ]),
  },
];

describe('verifySigV4 against fixed vectors', () => {
  it('accepts the get-vanilla request of the AWS SigV4 test suite', async () => {
    const request = vector('GET', '/', [
      ...['Host', 'example.amazonaws.com', 'X-Amz-Date', '20150830T123600Z', 'Authorization'],
      authorization(
        'service',
        'host;x-amz-date',
        '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
      ),
    ]);

    const result = await verify(request, { now: VECTOR_NOW });

    assert.deepEqual(result, {
      scope: {
        accessKeyId: ACCESS_KEY_ID,
        date: '20150830',
        region: 'us-east-1',
        service: 'service',
      },
      signedAt: new Date('2015-08-30T12:36:00Z'),
      presigned: false,
      signedHeaders: ['host', 'x-amz-date'],
    });
  });

  it('returns badSignature for get-vanilla when its host was changed', async () => {
    const request = vector('GET', '/', [
      ...['Host', 'example.amazon.com', 'X-Amz-Date', '20150830T123600Z', 'Authorization'],
      authorization(
        'service',
        'host;x-amz-date',
        '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
      ),
    ]);

    await failure(verify(request, { now: VECTOR_NOW }), 'badSignature', BAD_SIGNATURE);
  });

  for (const { name, s3, request } of BOTOCORE_VECTORS) {
    it(`accepts botocore's signature of ${name}`, async () => {
      const result = await verify(request, { now: VECTOR_NOW, s3: s3 === true });

      assert.equal(result.scope.accessKeyId, ACCESS_KEY_ID);
      assert.deepEqual(result.signedAt, new Date('2015-08-30T12:36:00Z'));
    });

    it(`returns badSignature for botocore's ${name} when the path was changed`, async () => {
      const changed = { ...request, path: `${request.path}x` };

      await failure(verify(changed, { now: VECTOR_NOW, s3: s3 === true }), 'badSignature');
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Header authentication

describe('verifySigV4 with header authentication', () => {
  it('accepts a POST JSON request signed like the AWS CLI signs it', async () => {
    const request = await signed(jsonPost, { applyChecksum: false, sessionToken: SESSION_TOKEN });

    const result = await verify(request, { expectedService: 'ecs' });

    assert.deepEqual(result, {
      scope: { accessKeyId: ACCESS_KEY_ID, date: '20261203', region: 'us-east-1', service: 'ecs' },
      signedAt: SIGNED_AT,
      presigned: false,
      securityToken: SESSION_TOKEN,
      signedHeaders: ['content-type', 'host', 'x-amz-date', 'x-amz-security-token', 'x-amz-target'],
    });
  });

  it('accepts a request carrying x-amz-content-sha256 of its body', async () => {
    const request = await signed(jsonPost);
    assert.equal(headerOf(request, 'x-amz-content-sha256'), sha256Hex(jsonPost.body));

    const result = await verify(request);

    assert.ok(
      result.signedHeaders.includes('x-amz-content-sha256'),
      'x-amz-content-sha256 should be signed',
    );
  });

  it('accepts a key id that an async lookup resolves', async () => {
    const request = await signed(jsonPost);

    const result = await verify(request, { lookupSecret: async (id) => lookupSecret(id) });

    assert.equal(result.scope.service, 'ecs');
  });

  const paths = [
    '/things/my%20thing',
    '/things/a%2Fb/c',
    '/things/caf%C3%A9/%E2%9C%93',
    '/things/~user/a~b',
    '/things/it%27s%20%28here%29%21%2A',
    '/things/plus%2Bsign/equals%3Dsign/colon%3A',
    '/a/./b/../c/',
    '/a//b///c',
    '/',
  ];
  for (const path of paths) {
    it(`agrees with @smithy/signature-v4 on the path ${path}`, async () => {
      const request = await signed({ ...jsonPost, path });

      const result = await verify(request);

      assert.equal(result.scope.service, 'ecs');
    });
  }

  it('accepts a path that spells unreserved characters encoded or hex digits in lowercase', async () => {
    const request = await signed({ ...jsonPost, path: '/things/caf%C3%A9~x' });
    const respelled = { ...request, path: '/things/caf%c3%a9%7Ex' };

    const result = await verify(respelled);

    assert.equal(result.scope.service, 'ecs');
  });

  it('accepts query strings with special characters', async () => {
    const query = {
      'a key': 'a value',
      plus: '1+1=2',
      slash: 'a/b?c&d',
      unicode: 'café ✓',
      tilde: '~x_y-z.',
      reserved: "!'()*$,;:@",
      empty: '',
      repeated: ['b', 'a', 'c'],
      Upper: 'case',
    };
    const request = await signed({ query });
    assert.match(request.query, /%20/);

    const result = await verify(request);

    assert.equal(result.presigned, false);
  });

  it('returns badSignature when a query value was changed', async () => {
    const request = await signed({ query: { page: '1', filter: 'a b' } });
    const changed = { ...request, query: request.query.replace('page=1', 'page=2') };

    await failure(verify(changed), 'badSignature', BAD_SIGNATURE);
  });

  it('returns badSignature when a space in the query is sent as a literal +', async () => {
    const request = await signed({ query: { filter: 'a b' } });
    const changed = { ...request, query: request.query.replace('%20', '+') };

    await failure(verify(changed), 'badSignature', BAD_SIGNATURE);
  });

  it('returns badSignature when the path was changed', async () => {
    const request = await signed({ path: '/things/a' });

    await failure(verify({ ...request, path: '/things/b' }), 'badSignature', BAD_SIGNATURE);
  });

  it('returns badSignature when the method was changed', async () => {
    const request = await signed(jsonPost);

    await failure(verify({ ...request, method: 'PUT' }), 'badSignature', BAD_SIGNATURE);
  });

  it('returns badSignature when the body was changed', async () => {
    const request = await signed(jsonPost, { applyChecksum: false });
    const changed = { ...request, body: Buffer.from('{"maxResults":99}') };

    await failure(verify(changed), 'badSignature', BAD_SIGNATURE);
  });

  it('returns badSignature when the body no longer matches x-amz-content-sha256', async () => {
    const request = await signed(jsonPost);
    const changed = { ...request, body: Buffer.from('{"maxResults":99}') };

    await failure(
      verify(changed),
      'badSignature',
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
  });

  it('returns badSignature when x-amz-content-sha256 is UNSIGNED-PAYLOAD outside S3', async () => {
    const request = await signed({
      ...jsonPost,
      headers: { ...jsonPost.headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    });

    await failure(verify(request), 'badSignature');
  });

  it('returns badSignature when a signed header was changed', async () => {
    const request = await signed(jsonPost);
    const changed = withHeader(request, 'x-amz-target', 'AmazonEC2ContainerServiceV20141113.X');

    await failure(verify(changed), 'badSignature', BAD_SIGNATURE);
  });

  it('still accepts the request when a header that is not signed was changed or added', async () => {
    const request = await signed({
      ...jsonPost,
      headers: { ...jsonPost.headers, 'user-agent': 'a' },
    });
    assert.ok(
      !/user-agent/.test(headerOf(request, 'authorization')),
      'user-agent should not be signed',
    );
    const changed = withHeader(
      withHeader(request, 'user-agent', 'b'),
      'x-forwarded-for',
      '10.0.0.1',
    );

    const result = await verify(changed);

    assert.ok(
      !result.signedHeaders.includes('user-agent'),
      'user-agent should not be reported as signed',
    );
  });

  it('accepts header names in any case and values with extra spaces', async () => {
    const request = await signed(jsonPost);
    const respaced = pairsOf(request.rawHeaders).flatMap(([name, value]) =>
      name === 'authorization' ? [name, value] : [name.toUpperCase(), `  ${value} `],
    );

    const result = await verify({ ...request, rawHeaders: respaced });

    assert.equal(result.scope.service, 'ecs');
  });

  it('accepts duplicated header values joined with commas in order of appearance', async () => {
    const request = await signed({ headers: { 'x-custom': 'first,second  value' } });
    const split = withoutHeader(request, 'x-custom');
    split.rawHeaders.push('X-Custom', 'first', 'x-custom', '  second   value');

    const result = await verify(split);

    assert.ok(result.signedHeaders.includes('x-custom'), 'x-custom should be reported as signed');
  });

  it('returns badSignature when duplicated header values arrive in another order', async () => {
    const request = await signed({ headers: { 'x-custom': 'first,second' } });
    const swapped = withoutHeader(request, 'x-custom');
    swapped.rawHeaders.push('X-Custom', 'second', 'X-Custom', 'first');

    await failure(verify(swapped), 'badSignature', BAD_SIGNATURE);
  });

  it('returns badSignature when signed with the wrong secret', async () => {
    const request = await signed(jsonPost, { secret: OTHER_SECRET });

    await failure(verify(request), 'badSignature', BAD_SIGNATURE);
  });

  it('returns badSignature when the signature has another length', async () => {
    const request = await signed(jsonPost);
    const truncated = editAuthorization(request, (auth) => auth.slice(0, -2));

    await failure(verify(truncated), 'badSignature', BAD_SIGNATURE);
  });

  it('uses the new secret once a key was rotated, despite the signing-key cache', async () => {
    const oldRequest = await signed(jsonPost);
    const newRequest = await signed(jsonPost, { secret: OTHER_SECRET });
    await verify(oldRequest);
    const rotated = { lookupSecret: () => OTHER_SECRET };

    await verify(newRequest, rotated);
    await failure(verify(oldRequest, rotated), 'badSignature');
  });

  it('returns unknownKey when the access key id is not known', async () => {
    const request = await signed(jsonPost);

    await failure(
      verify(request, { lookupSecret: () => undefined }),
      'unknownKey',
      'The security token included in the request is invalid.',
    );
  });

  it('passes the access key id of the credential to the lookup', async () => {
    const request = await signed(jsonPost);
    const asked: string[] = [];

    await verify(request, { lookupSecret: (id) => (asked.push(id), SECRET) });

    assert.deepEqual(asked, [ACCESS_KEY_ID]);
  });
});

// ---------------------------------------------------------------------------------------------
// Malformed requests

describe('verifySigV4 with missing or malformed authentication', () => {
  it('returns missing when there is neither an Authorization header nor X-Amz-Signature', async () => {
    const request = await signed(jsonPost);

    await failure(
      verify(withoutHeader(request, 'authorization')),
      'missing',
      'Missing Authentication Token',
    );
  });

  it('returns incomplete listing every missing Authorization parameter', async () => {
    const request = await signed(jsonPost);
    const changed = withHeader(request, 'authorization', 'AWS4-HMAC-SHA256 SignedHeaders=host');

    await failure(
      verify(changed),
      'incomplete',
      "Authorization header requires 'Credential' parameter. " +
        "Authorization header requires 'Signature' parameter.",
    );
  });

  it('accepts Authorization parameters separated by commas without spaces', async () => {
    const request = await signed(jsonPost);
    const compact = editAuthorization(request, (auth) => auth.replace(/, /g, ','));

    const result = await verify(compact);

    assert.equal(result.scope.service, 'ecs');
  });

  it('returns incomplete for another algorithm', async () => {
    const request = await signed(jsonPost);
    const changed = editAuthorization(request, (auth) =>
      auth.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA512'),
    );

    await failure(
      verify(changed),
      'incomplete',
      "Unsupported AWS 'algorithm'. Only 'AWS4-HMAC-SHA256' is supported.",
    );
  });

  it('returns incomplete for a credential without five parts', async () => {
    const request = await signed(jsonPost);
    const changed = editAuthorization(request, (auth) => auth.replace('/us-east-1', ''));

    await failure(verify(changed), 'incomplete', /^Credential must have exactly 5 slash-delimited/);
  });

  it('returns incomplete for a credential date that is not YYYYMMDD', async () => {
    const request = await signed(jsonPost);
    const changed = editAuthorization(request, (auth) =>
      auth.replace('/20261203/', '/2026-12-03/'),
    );

    await failure(verify(changed), 'incomplete', 'Credential date must be in the format YYYYMMDD.');
  });

  it('returns incomplete when there is neither X-Amz-Date nor Date', async () => {
    const request = await signed(jsonPost);

    await failure(
      verify(withoutHeader(request, 'x-amz-date')),
      'incomplete',
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    );
  });

  it('returns incomplete when X-Amz-Date is not in ISO-8601 basic format', async () => {
    const request = await signed(jsonPost);

    for (const date of [
      '2026-12-03T15:00:00Z',
      '20261303T150000Z',
      '20261131T150000Z',
      '20261203T240000Z',
      '20261203T150000',
    ]) {
      await failure(
        verify(withHeader(request, 'x-amz-date', date)),
        'incomplete',
        "Date must be in ISO-8601 'basic format', e.g. 20150830T123600Z.",
      );
    }
  });

  it('returns incomplete when host is not a signed header', async () => {
    const request = await signed(jsonPost);
    const changed = editAuthorization(request, (auth) => auth.replace('host;', ''));

    await failure(verify(changed), 'incomplete', /'Host' or ':authority' must be a 'SignedHeader'/);
  });

  it('returns incomplete when a signed header is missing from the request', async () => {
    const request = await signed(jsonPost);

    await failure(
      verify(withoutHeader(request, 'x-amz-target')),
      'incomplete',
      'A header listed in SignedHeaders is not present in the request.',
    );
  });

  it('returns incomplete when two Authorization headers are sent', async () => {
    const request = await signed(jsonPost);
    const doubled = { ...request, rawHeaders: [...request.rawHeaders, 'Authorization', 'x'] };

    await failure(verify(doubled), 'incomplete', 'Only one Authorization header is allowed.');
  });

  it('returns incomplete when both a header and a presigned signature are sent', async () => {
    const request = await signed(jsonPost);

    await failure(verify({ ...request, query: 'X-Amz-Signature=00' }), 'incomplete', /one auth/);
  });
});

describe('verifySigV4 credential scope checks', () => {
  it('returns badScope when the scope names another service than expected', async () => {
    const request = await signed(jsonPost, { service: 'sts' });

    await failure(
      verify(request, { expectedService: 'ecs' }),
      'badScope',
      "Credential should be scoped to correct service: 'ecs'. ",
    );
  });

  it('returns badScope when the scope date differs from X-Amz-Date', async () => {
    const request = await signed(jsonPost);
    const changed = editAuthorization(request, (auth) => auth.replace('/20261203/', '/20261202/'));

    await failure(
      verify(changed),
      'badScope',
      'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from ' +
        "HTTP: '20261202' != '20261203', from '20261203T150000Z'.",
    );
  });

  it('returns badScope when the terminator is not aws4_request', async () => {
    const request = await signed(jsonPost);
    const changed = editAuthorization(request, (auth) => auth.replace('aws4_request', 'aws5'));

    await failure(
      verify(changed),
      'badScope',
      "Credential should be scoped with a valid terminator: 'aws4_request'. ",
    );
  });

  it('returns badSignature when the scope region was changed', async () => {
    const request = await signed(jsonPost);
    const changed = editAuthorization(request, (auth) => auth.replace('us-east-1', 'eu-west-1'));

    await failure(verify(changed), 'badSignature', BAD_SIGNATURE);
  });
});

describe('verifySigV4 clock skew', () => {
  const at = (minutes: number): Date => new Date(SIGNED_AT.getTime() + minutes * MINUTE);

  it('accepts a request signed 14 minutes ago', async () => {
    const request = await signed(jsonPost);

    const result = await verify(request, { now: at(14) });

    assert.deepEqual(result.signedAt, SIGNED_AT);
  });

  it('returns expired for a request signed 16 minutes ago', async () => {
    const request = await signed(jsonPost);

    await failure(
      verify(request, { now: at(16) }),
      'expired',
      'Signature expired: 20261203T150000Z is now earlier than 20261203T150100Z ' +
        '(20261203T151600Z - 15 min.)',
    );
  });

  it('returns expired with the AWS message for a request signed 25 minutes ago', async () => {
    const request = await signed(jsonPost);

    await failure(
      verify(request, { now: new Date('2026-12-03T15:25:00Z') }),
      'expired',
      'Signature expired: 20261203T150000Z is now earlier than 20261203T151000Z ' +
        '(20261203T152500Z - 15 min.)',
    );
  });

  it('accepts a request signed 4 minutes in the future', async () => {
    const request = await signed(jsonPost);

    const result = await verify(request, { now: at(-4) });

    assert.deepEqual(result.signedAt, SIGNED_AT);
  });

  it('returns notYetValid for a request signed 6 minutes in the future', async () => {
    const request = await signed(jsonPost);

    await failure(
      verify(request, { now: at(-6) }),
      'notYetValid',
      'Signature not yet current: 20261203T150000Z is still later than 20261203T145900Z ' +
        '(20261203T145400Z + 5 min.)',
    );
  });

  it('returns notYetValid with the AWS message for a request an hour ahead', async () => {
    const request = await signed(jsonPost, { signingDate: new Date('2026-12-03T16:00:00Z') });

    await failure(
      verify(request, { now: new Date('2026-12-03T15:25:00Z') }),
      'notYetValid',
      'Signature not yet current: 20261203T160000Z is still later than 20261203T153000Z ' +
        '(20261203T152500Z + 5 min.)',
    );
  });

  it('applies the window to the Date header when there is no X-Amz-Date', async () => {
    const request = vector('GET', '/', [
      ...['Host', 'example.amazonaws.com', 'Date', 'Sun, 30 Aug 2015 12:36:00 -0000'],
      'Authorization',
      authorization(
        'service',
        'date;host',
        '7680771e48fa28c7db272da980f990fa8ee39dee61905c4203f5da9d3d48ac86',
      ),
    ]);

    await failure(verify(request, { now: new Date('2015-08-30T12:52:00Z') }), 'expired');
  });
});

// ---------------------------------------------------------------------------------------------
// Presigned URLs

describe('verifySigV4 with presigned URLs', () => {
  const getQueue = { query: { Action: 'ReceiveMessage', QueueUrl: 'https://q/1 2' } };

  it('accepts a presigned GET and reports its session token', async () => {
    const request = await presigned(getQueue, { sessionToken: SESSION_TOKEN });
    assert.match(request.query, /X-Amz-Signature=/);
    assert.ok(
      !request.rawHeaders.some((h) => /^authorization$/i.test(h)),
      'a presigned URL has no Authorization',
    );

    const result = await verify(request);

    assert.deepEqual(result, {
      scope: { accessKeyId: ACCESS_KEY_ID, date: '20261203', region: 'us-east-1', service: 'ecs' },
      signedAt: SIGNED_AT,
      presigned: true,
      securityToken: SESSION_TOKEN,
      signedHeaders: ['host'],
    });
  });

  it('accepts a presigned URL whose parameters arrive in another order', async () => {
    const request = await presigned(getQueue);
    const reversed = { ...request, query: request.query.split('&').reverse().join('&') };

    const result = await verify(reversed);

    assert.equal(result.presigned, true);
  });

  it('returns badSignature when a presigned query parameter was changed', async () => {
    const request = await presigned(getQueue);
    const changed = editQuery(request, (params) => params.set('Action', 'DeleteQueue'));

    await failure(verify(changed), 'badSignature', BAD_SIGNATURE);
  });

  it('returns badSignature when X-Amz-Expires was extended', async () => {
    const request = await presigned(getQueue, { expiresIn: 60 });
    const changed = editQuery(request, (params) => params.set('X-Amz-Expires', '3600'));

    await failure(
      verify(changed, { now: new Date(SIGNED_AT.getTime() + 30 * MINUTE) }),
      'badSignature',
    );
  });

  it('accepts a presigned URL until X-Amz-Expires has passed', async () => {
    const request = await presigned(getQueue, { expiresIn: 3600 });

    const result = await verify(request, { now: new Date(SIGNED_AT.getTime() + 3600_000) });

    assert.equal(result.presigned, true);
  });

  it('returns expired once X-Amz-Expires has passed', async () => {
    const request = await presigned(getQueue, { expiresIn: 3600 });

    await failure(
      verify(request, { now: new Date(SIGNED_AT.getTime() + 3601_000) }),
      'expired',
      'Signature expired: 20261203T150000Z is now earlier than 20261203T150001Z ' +
        '(20261203T160001Z - 3600 sec.)',
    );
  });

  it('returns notYetValid for a presigned URL dated 6 minutes ahead', async () => {
    const request = await presigned(getQueue);

    await failure(
      verify(request, { now: new Date(SIGNED_AT.getTime() - 6 * MINUTE) }),
      'notYetValid',
    );
  });

  it('returns incomplete when X-Amz-Expires is outside 1..604800', async () => {
    const request = await presigned(getQueue);

    for (const expires of ['0', '604801', 'abc', '-5', '']) {
      const changed = editQuery(request, (params) => params.set('X-Amz-Expires', expires));
      await failure(verify(changed), 'incomplete', /X-Amz-Expires/);
    }
  });

  it('returns incomplete listing every missing presigned parameter', async () => {
    const request = await presigned(getQueue);
    const changed = editQuery(request, (params) => {
      params.delete('X-Amz-Credential');
      params.delete('X-Amz-Date');
    });

    await failure(
      verify(changed),
      'incomplete',
      "Query-string authentication requires the 'X-Amz-Credential' parameter. " +
        "Query-string authentication requires the 'X-Amz-Date' parameter.",
    );
  });

  it('returns incomplete when a presigned parameter is repeated', async () => {
    const request = await presigned(getQueue);
    const changed = { ...request, query: `${request.query}&X-Amz-Date=20261203T150000Z` };

    await failure(verify(changed), 'incomplete', /only once/);
  });

  it('returns badScope when a presigned scope names another service than expected', async () => {
    const request = await presigned(getQueue);

    await failure(
      verify(request, { expectedService: 'sqs' }),
      'badScope',
      /correct service: 'sqs'/,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// S3

describe('verifySigV4 in S3 mode', () => {
  const s3Signer = { service: 's3', uriEscapePath: false } satisfies SignerOptions;
  const s3Put = (hash: string, body = 'hello world'): RequestInit => ({
    method: 'PUT',
    hostname: 'bucket.s3.us-east-1.amazonaws.com',
    path: '/dir//my%20key%2Bplus/caf%C3%A9~',
    headers: { 'content-type': 'text/plain', 'x-amz-content-sha256': hash },
    body,
  });

  it('accepts UNSIGNED-PAYLOAD without hashing the body', async () => {
    const request = await signed(s3Put('UNSIGNED-PAYLOAD'), s3Signer);
    const otherBody = { ...request, body: Buffer.from('anything else') };

    const result = await verify(otherBody, { s3: true, expectedService: 's3' });

    assert.ok(
      result.signedHeaders.includes('x-amz-content-sha256'),
      'x-amz-content-sha256 should be signed',
    );
  });

  it('accepts a signed body hash', async () => {
    const request = await signed(s3Put(sha256Hex('hello world')), s3Signer);

    const result = await verify(request, { s3: true });

    assert.equal(result.scope.service, 's3');
  });

  it('accepts a STREAMING- payload declaration', async () => {
    const request = await signed(s3Put('STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'chunks'), s3Signer);

    const result = await verify(request, { s3: true });

    assert.equal(result.scope.service, 's3');
  });

  it('returns badSignature when the body does not match the signed hash', async () => {
    const request = await signed(s3Put(sha256Hex('hello world')), s3Signer);
    const changed = { ...request, body: Buffer.from('hello there') };

    await failure(verify(changed, { s3: true }), 'badSignature', /x-amz-content-sha256/);
  });

  it('returns badSignature when an S3 path is verified with the double encoding', async () => {
    const request = await signed(s3Put(sha256Hex('hello world')), s3Signer);

    await failure(verify(request), 'badSignature', BAD_SIGNATURE);
  });

  it('accepts an S3 key that spells unreserved characters encoded or hex in lowercase', async () => {
    const request = await signed(s3Put(sha256Hex('hello world')), s3Signer);
    const respelled = { ...request, path: request.path.replace('%C3%A9~', '%c3%a9%7E') };
    assert.notEqual(respelled.path, request.path);

    const result = await verify(respelled, { s3: true });

    assert.equal(result.scope.service, 's3');
  });

  it('returns incomplete when x-amz-content-sha256 is missing', async () => {
    const request = await signed(s3Put('UNSIGNED-PAYLOAD'), s3Signer);

    await failure(
      verify(withoutHeader(request, 'x-amz-content-sha256'), { s3: true }),
      'incomplete',
      'Missing required header for this request: x-amz-content-sha256',
    );
  });

  it('returns incomplete when x-amz-content-sha256 is not a hash nor a known marker', async () => {
    const request = await signed(s3Put('not-a-hash'), s3Signer);

    await failure(verify(request, { s3: true }), 'incomplete', /x-amz-content-sha256 must be/);
  });

  it('accepts a presigned S3 GET whose UNSIGNED-PAYLOAD was hoisted into the query', async () => {
    const request = await presigned(
      {
        hostname: 'bucket.s3.us-east-1.amazonaws.com',
        path: '/photos/my%20cat.jpg',
        query: { versionId: 'v+1' },
        headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      },
      s3Signer,
    );
    assert.match(request.query, /X-Amz-Content-Sha256=UNSIGNED-PAYLOAD/i);

    const result = await verify(request, { s3: true });

    assert.equal(result.presigned, true);
  });
});

// ---------------------------------------------------------------------------------------------
// Secrecy of messages

describe('verifySigV4 error messages', () => {
  it('never contain the secret, the expected signature or the canonical request', async () => {
    const good = await signed(jsonPost);
    const expectedSignature = /Signature=([0-9a-f]{64})/.exec(headerOf(good, 'authorization'))?.[1];
    assert.ok(expectedSignature, 'the signed request has no signature');
    // Without its slashes the secret passes the credential's shape check and reaches later ones.
    const leak = SECRET.replaceAll('/', '');
    const inAuthorization = (from: string | RegExp, to: string): IncomingSignedRequest =>
      editAuthorization(good, (auth) => auth.replace(from, to));

    const attempts: [() => Promise<unknown>, AuthFailureKind][] = [
      [() => verify(withHeader(good, 'x-amz-target', 'x')), 'badSignature'],
      [() => verify({ ...good, body: Buffer.from('x') }), 'badSignature'],
      [async () => verify(await signed(jsonPost, { secret: OTHER_SECRET })), 'badSignature'],
      [() => verify(good, { lookupSecret: () => undefined }), 'unknownKey'],
      [() => verify(good, { expectedService: 's3' }), 'badScope'],
      [() => verify(good, { now: new Date('2027-01-01T00:00:00Z') }), 'expired'],
      [() => verify(withoutHeader(good, 'x-amz-target')), 'incomplete'],
      // A confused client may paste its secret into any field; no message may echo it.
      [() => verify(editAuthorization(good, () => SECRET)), 'incomplete'],
      [() => verify(inAuthorization('AWS4-HMAC-SHA256', leak)), 'incomplete'],
      [() => verify(inAuthorization(/\/20261203.*?,/, `/${SECRET},`)), 'incomplete'],
      [() => verify(inAuthorization('20261203', leak)), 'incomplete'],
      [() => verify(inAuthorization('aws4_request', leak)), 'badScope'],
      [() => verify(inAuthorization('host;', `host;${leak};`)), 'incomplete'],
      [() => verify(inAuthorization('content-type', leak)), 'incomplete'],
      [() => verify(withHeader(good, 'x-amz-date', SECRET)), 'incomplete'],
      [() => verify(withHeader(withoutHeader(good, 'x-amz-date'), 'date', SECRET)), 'incomplete'],
    ];

    for (const [attempt, kind] of attempts) {
      const error = await failure(attempt(), kind);
      assert.ok(!error.message.includes(leak), error.message);
      assert.ok(!error.message.includes(expectedSignature), error.message);
      assert.ok(!error.message.includes('\n'), 'a canonical request spans several lines');
      assert.ok(!error.message.includes(sha256Hex(jsonPost.body)), error.message);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// readCredentialScope

describe('readCredentialScope', () => {
  it('reads the scope from the Authorization header', async () => {
    const request = await signed(jsonPost, { service: 'sts' });

    assert.deepEqual(readCredentialScope(request), {
      accessKeyId: ACCESS_KEY_ID,
      date: '20261203',
      region: 'us-east-1',
      service: 'sts',
    });
  });

  it('reads the scope from X-Amz-Credential', async () => {
    const request = await presigned({}, { service: 'ecs' });

    assert.equal(readCredentialScope(request)?.service, 'ecs');
  });

  it('returns undefined when the request carries no SigV4 authentication', () => {
    const request = vector('GET', '/?Action=List', ['Host', 'localhost']);

    assert.equal(readCredentialScope(request), undefined);
  });

  it('throws incomplete when the Authorization header is malformed', () => {
    const request = vector('GET', '/', ['Host', 'localhost', 'Authorization', 'Bearer abc']);

    assert.throws(
      () => readCredentialScope(request),
      (error: unknown) => error instanceof AuthFailure && error.kind === 'incomplete',
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Real SDK clients over HTTP

describe('verifySigV4 with real AWS SDK clients over HTTP', () => {
  let server: Server;
  let endpoint = '';
  const outcomes: (VerifiedRequest | Error)[] = [];

  before(async () => {
    server = createServer((req, res) => void answer(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => {
    server.closeAllConnections();
    server.close();
  });

  /** Verifies like the gateway will: the service comes from readCredentialScope. */
  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const target = req.url ?? '/';
    const queryAt = target.indexOf('?');
    const incoming: IncomingSignedRequest = {
      method: req.method ?? 'GET',
      path: queryAt === -1 ? target : target.slice(0, queryAt),
      query: queryAt === -1 ? '' : target.slice(queryAt + 1),
      rawHeaders: req.rawHeaders,
      body: Buffer.concat(chunks),
    };

    // Failures are recorded for the test to assert on; throwing here would only hang the client.
    let service: string | undefined;
    try {
      service = readCredentialScope(incoming)?.service;
      const options = { now: new Date(), lookupSecret, expectedService: service };
      outcomes.push(await verifySigV4(incoming, options));
    } catch (error) {
      outcomes.push(error instanceof Error ? error : new Error(String(error)));
    }
    respond(service, res);
  }

  function respond(service: string | undefined, res: ServerResponse): void {
    if (service === 'sts') {
      res.setHeader('content-type', 'text/xml');
      res.end(
        '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">' +
          '<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/test</Arn>' +
          '<UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account>' +
          '</GetCallerIdentityResult></GetCallerIdentityResponse>',
      );
      return;
    }
    res.setHeader('content-type', 'application/x-amz-json-1.1');
    res.end('{"clusterArns":[]}');
  }

  const credentials = {
    accessKeyId: ACCESS_KEY_ID,
    secretAccessKey: SECRET,
    sessionToken: SESSION_TOKEN,
  };

  it('accepts an ECS ListClusters call from @aws-sdk/client-ecs', async () => {
    const client = new ECSClient({ region: 'eu-west-1', endpoint, credentials, maxAttempts: 1 });
    outcomes.length = 0;

    await client.send(new ListClustersCommand({ maxResults: 5 }));
    client.destroy();

    const [outcome] = outcomes;
    assert.ok(outcome !== undefined && !(outcome instanceof Error), String(outcome));
    assert.equal(outcome.scope.service, 'ecs');
    assert.equal(outcome.scope.region, 'eu-west-1');
    assert.equal(outcome.securityToken, SESSION_TOKEN);
    assert.ok(outcome.signedHeaders.includes('x-amz-target'), 'x-amz-target should be signed');
  });

  it('accepts an STS GetCallerIdentity form POST from @aws-sdk/client-sts', async () => {
    const client = new STSClient({ region: 'us-east-1', endpoint, credentials, maxAttempts: 1 });
    outcomes.length = 0;

    const identity = await client.send(new GetCallerIdentityCommand({}));
    client.destroy();

    assert.equal(identity.Account, '123456789012');
    const [outcome] = outcomes;
    assert.ok(outcome !== undefined && !(outcome instanceof Error), String(outcome));
    assert.equal(outcome.scope.service, 'sts');
  });

  it('returns badSignature for an SDK client with the wrong secret', async () => {
    const wrong = { ...credentials, secretAccessKey: OTHER_SECRET };
    const client = new ECSClient({
      region: 'us-east-1',
      endpoint,
      credentials: wrong,
      maxAttempts: 1,
    });
    outcomes.length = 0;

    await client.send(new ListClustersCommand({}));
    client.destroy();

    const [outcome] = outcomes;
    assert.ok(outcome instanceof AuthFailure, `expected a failure, got ${String(outcome)}`);
    assert.equal(outcome.kind, 'badSignature');
  });
});
