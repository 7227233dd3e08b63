// Presigned URLs: query-string authentication and X-Amz-Expires.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  ACCESS_KEY_ID,
  BAD_SIGNATURE,
  editQuery,
  failure,
  MINUTE,
  presigned,
  SESSION_TOKEN,
  SIGNED_AT,
  verify,
} from './sigv4-helpers.js';

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
