// Header authentication of requests signed by @smithy/signature-v4, as the AWS SDK signs them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  ACCESS_KEY_ID,
  BAD_SIGNATURE,
  editAuthorization,
  failure,
  headerOf,
  jsonPost,
  lookupSecret,
  OTHER_SECRET,
  pairsOf,
  SECRET,
  SESSION_TOKEN,
  sha256Hex,
  signed,
  SIGNED_AT,
  verify,
  withHeader,
  withoutHeader,
} from './sigv4-helpers.js';

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
