// Verification against fixed vectors: the AWS SigV4 test suite and botocore's signatures.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { IncomingSignedRequest } from '../../src/auth/sigv4.js';
import {
  ACCESS_KEY_ID,
  authorization,
  BAD_SIGNATURE,
  failure,
  sha256Hex,
  vector,
  verify,
} from './sigv4-helpers.js';

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
