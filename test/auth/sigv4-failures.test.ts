// The failure kinds and messages of malformed authentication, scope checks and clock skew.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  authorization,
  BAD_SIGNATURE,
  editAuthorization,
  failure,
  jsonPost,
  MINUTE,
  signed,
  SIGNED_AT,
  vector,
  verify,
  withHeader,
  withoutHeader,
} from './sigv4-helpers.js';

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
