import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ListAccountSettingsCommand, PutAccountSettingCommand } from '@aws-sdk/client-ecs';
import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { cloudTrailClient, ecsClient, stsClient } from '../support/clients.js';
import { rejectsWith } from '../support/errors.js';
import { startTestServer, type TestCredentials, type TestServer } from '../support/fedgate.js';
import { rawFetch, signedFetch, signedRequest } from '../support/signed-fetch.js';

const REGION = 'us-gov-west-1';
const ECS = 'AmazonEC2ContainerServiceV20141113';

/**
 * Every class of bad request gets AWS's error, and the server keeps serving:
 * after each, a good call still succeeds.
 */
describe('bad requests', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  const ecs = (credentials: TestCredentials = server.root) =>
    ecsClient({ endpoint: server.url, credentials, region: REGION });
  const stillServing = async () => {
    const out = await ecs().send(new ListAccountSettingsCommand({}));
    assert.ok(Array.isArray(out.settings));
  };
  const ecsCall = (operation: string, body: string, extra = {}) =>
    signedFetch(server.url, server.root, {
      service: 'ecs',
      region: REGION,
      target: `${ECS}.${operation}`,
      body,
      ...extra,
    });

  it('returns UnrecognizedClientException when the access key is unknown', async () => {
    const stranger = { accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', secretAccessKey: 'x'.repeat(40) };
    await rejectsWith(
      ecs(stranger).send(new ListAccountSettingsCommand({})),
      'UnrecognizedClientException',
    );
    await stillServing();
  });

  it('returns InvalidSignatureException when the secret is wrong', async () => {
    const wrong = { accessKeyId: server.root.accessKeyId, secretAccessKey: 'y'.repeat(40) };
    const message = await rejectsWith(
      ecs(wrong).send(new ListAccountSettingsCommand({})),
      'InvalidSignatureException',
    );
    assert.ok(!message.includes(server.root.secretAccessKey));
    await stillServing();
  });

  it('returns SignatureDoesNotMatch (Query protocol) when an STS signature is wrong', async () => {
    const wrong = { accessKeyId: server.root.accessKeyId, secretAccessKey: 'z'.repeat(40) };
    const sts = stsClient({ endpoint: server.url, credentials: wrong, region: REGION });
    await rejectsWith(sts.send(new GetCallerIdentityCommand({})), 'SignatureDoesNotMatch');
  });

  it('returns MissingAuthenticationTokenException when the request is not signed', async () => {
    const answer = await rawFetch(
      server.url,
      {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `${ECS}.ListAccountSettings`,
      },
      '{}',
    );
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.json, {
      __type: 'MissingAuthenticationTokenException',
      message: 'Missing Authentication Token',
    });
    await stillServing();
  });

  it('returns IncompleteSignatureException when the Authorization header is malformed', async () => {
    const signed = await signedRequest(server.url, server.root, {
      service: 'ecs',
      region: REGION,
      target: `${ECS}.ListAccountSettings`,
      body: '{}',
    });
    const broken = {
      ...signed.headers,
      authorization: signed.headers.authorization?.replace(/, Signature=[0-9a-f]+/, '') ?? '',
    };
    const answer = await rawFetch(server.url, broken, '{}');
    assert.equal(answer.json?.__type, 'IncompleteSignatureException');
    await stillServing();
  });

  it('returns InvalidSignatureException when the body was changed after signing', async () => {
    const signed = await signedRequest(server.url, server.root, {
      service: 'ecs',
      region: REGION,
      target: `${ECS}.PutAccountSetting`,
      body: '{"name":"containerInsights","value":"enabled"}',
    });
    const answer = await rawFetch(
      server.url,
      signed.headers,
      '{"name":"containerInsights","value":"disabled"}',
    );
    assert.equal(answer.json?.__type, 'InvalidSignatureException');
    await stillServing();
  });

  it('returns InvalidSignatureException when the request was signed 16 minutes ago or 6 minutes ahead', async () => {
    for (const offset of [-16 * 60_000, 6 * 60_000]) {
      const answer = await ecsCall('ListAccountSettings', '{}', {
        signingDate: new Date(Date.now() + offset),
      });
      assert.equal(answer.json?.__type, 'InvalidSignatureException');
      assert.match(
        String(answer.json?.message),
        offset < 0 ? /^Signature expired: / : /^Signature not yet current: /,
      );
    }
    const fresh = await ecsCall('ListAccountSettings', '{}', {
      signingDate: new Date(Date.now() - 10 * 60_000),
    });
    assert.equal(fresh.status, 200);
  });

  it('returns InvalidSignatureException when the scope names an unknown region or another service', async () => {
    const region = await signedFetch(server.url, server.root, {
      service: 'ecs',
      region: 'mars-north-1',
      target: `${ECS}.ListAccountSettings`,
      body: '{}',
    });
    assert.equal(region.json?.__type, 'InvalidSignatureException');
    assert.match(String(region.json?.message), /valid region/);
    const service = await signedFetch(server.url, server.root, {
      service: 'lambda',
      region: REGION,
      target: `${ECS}.ListAccountSettings`,
      body: '{}',
    });
    assert.equal(service.json?.__type, 'InvalidSignatureException');
  });

  it('returns SerializationException when the body is not JSON, and records the call', async () => {
    for (const body of ['{"name":', '[1,2]', '"text"', '\u0000\u0001']) {
      const answer = await ecsCall('PutAccountSetting', body);
      assert.equal(answer.status, 400);
      assert.equal(answer.json?.__type, 'SerializationException', body);
    }
    const trail = cloudTrailClient({
      endpoint: server.url,
      credentials: server.root,
      region: REGION,
    });
    const events = await trail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'PutAccountSetting' }],
      }),
    );
    const codes = events.Events?.map((e) => JSON.parse(e.CloudTrailEvent ?? '{}').errorCode);
    assert.ok(codes?.includes('SerializationException'));
    await stillServing();
  });

  it('returns UnknownOperationException for a target that names no operation', async () => {
    for (const target of [`${ECS}.NoSuchThing`, 'Other.ListAccountSettings', `${ECS}.`, '']) {
      const answer = await signedFetch(server.url, server.root, {
        service: 'ecs',
        region: REGION,
        target,
        body: '{}',
      });
      assert.equal(answer.json?.__type, 'UnknownOperationException', target);
    }
    await stillServing();
  });

  it('returns NotImplemented for an operation of the model fedgate does not serve yet', async () => {
    const answer = await ecsCall('DiscoverPollEndpoint', '{}');
    assert.equal(answer.status, 501);
    assert.equal(answer.json?.__type, 'NotImplemented');
  });

  it('returns InvalidParameterException when members have the wrong type or are missing', async () => {
    for (const body of [
      '{"name":"containerInsights"}',
      '{"name":5,"value":"enabled"}',
      '{"name":"containerInsights","value":["x"]}',
    ]) {
      const answer = await ecsCall('PutAccountSetting', body);
      assert.equal(answer.json?.__type, 'InvalidParameterException', body);
    }
    const ok = await ecs().send(
      new PutAccountSettingCommand({ name: 'containerInsights', value: 'enabled' }),
    );
    assert.equal(ok.setting?.value, 'enabled');
  });

  it('never answers with a stack trace or a secret, whatever the body', async () => {
    const bodies = [
      '{',
      '{}'.repeat(1000),
      JSON.stringify({ name: 'x'.repeat(100_000) }),
      '{"__proto__":{"x":1}}',
      'null',
    ];
    for (const body of bodies) {
      const answer = await ecsCall('PutAccountSetting', body);
      assert.ok(
        answer.status >= 400 && answer.status < 500,
        `${answer.status} for ${body.slice(0, 20)}`,
      );
      assert.doesNotMatch(answer.text, /at .*\.(ts|js):\d+/);
      assert.ok(!answer.text.includes(server.root.secretAccessKey));
    }
    await stillServing();
  });

  it('answers a body over the size limit with 413 and keeps serving', async () => {
    const answer = await ecsCall(
      'PutAccountSetting',
      JSON.stringify({ name: 'x'.repeat(11 * 1024 * 1024) }),
    );
    assert.equal(answer.status, 413);
    await stillServing();
  });

  it('answers the health endpoint without a signature', async () => {
    const response = await fetch(new URL('/health', server.url));
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ok' });
  });
});
