import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prepareJsonOutput, toQueryXml } from '../../src/model/encode.js';
import { loadServiceModel } from '../../src/model/service-model.js';

const ecs = loadServiceModel('ecs');
const cloudtrail = loadServiceModel('cloudtrail');
const sts = loadServiceModel('sts');

describe('prepareJsonOutput', () => {
  it('turns Dates into epoch seconds, keeping milliseconds as the fraction', () => {
    const output = {
      Events: [{ EventId: 'e1', EventTime: new Date('2025-12-03T16:19:09.123Z'), Resources: [] }],
    };

    const prepared = prepareJsonOutput(cloudtrail, 'LookupEvents', output);

    assert.deepEqual(prepared, {
      Events: [{ EventId: 'e1', EventTime: 1764778749.123, Resources: [] }],
    });
    assert.equal(
      JSON.stringify(prepared),
      '{"Events":[{"EventId":"e1","EventTime":1764778749.123,"Resources":[]}]}',
    );
  });

  it('drops undefined, null and unmodelled members', () => {
    const output = {
      NextToken: undefined,
      Events: [{ EventId: 'e1', Username: null, internalRowId: 7 }],
    };

    assert.deepEqual(prepareJsonOutput(cloudtrail, 'LookupEvents', output), {
      Events: [{ EventId: 'e1' }],
    });
  });

  it('converts timestamps nested in lists of structures (ECS RunTask)', () => {
    const createdAt = new Date('2025-12-03T16:19:09Z');
    const output = { tasks: [{ taskArn: 'arn:t', createdAt, stoppedAt: undefined }], failures: [] };

    const prepared = prepareJsonOutput(ecs, 'RunTask', output);

    assert.deepEqual(prepared, {
      tasks: [{ taskArn: 'arn:t', createdAt: 1764778749 }],
      failures: [],
    });
  });

  it('answers {} for an output without members', () => {
    assert.deepEqual(prepareJsonOutput(ecs, 'TagResource', undefined), {});
  });
});

describe('toQueryXml', () => {
  it('writes the GetCallerIdentity document with members in model order', () => {
    const output = {
      Arn: 'arn:aws:iam::123456789012:user/alice',
      Account: '123456789012',
      UserId: 'AIDAEXAMPLE',
    };

    const xml = toQueryXml(sts, 'GetCallerIdentity', output, 'req-1');

    assert.equal(
      xml,
      '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">' +
        '<GetCallerIdentityResult><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account>' +
        '<Arn>arn:aws:iam::123456789012:user/alice</Arn></GetCallerIdentityResult>' +
        '<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
    );
  });

  it('escapes text and writes timestamps as ISO-8601 with milliseconds', () => {
    const output = {
      Credentials: {
        AccessKeyId: 'ASIAEXAMPLE',
        SecretAccessKey: 'a<b&c>"d\'',
        SessionToken: 'token',
        Expiration: new Date('2025-12-03T17:19:09Z'),
      },
      AssumedRoleUser: {
        AssumedRoleId: 'AROA:s',
        Arn: 'arn:aws:sts::123456789012:assumed-role/r/s',
      },
      PackedPolicySize: 0,
    };

    const xml = toQueryXml(sts, 'AssumeRole', output, 'req-<2>');

    assert.ok(xml.includes('<SecretAccessKey>a&lt;b&amp;c&gt;&quot;d&apos;</SecretAccessKey>'));
    assert.ok(xml.includes('<Expiration>2025-12-03T17:19:09.000Z</Expiration>'));
    assert.ok(xml.includes('<PackedPolicySize>0</PackedPolicySize>'));
    assert.ok(xml.includes('<RequestId>req-&lt;2&gt;</RequestId>'));
    assert.ok(
      xml.startsWith(
        '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>',
      ),
    );
  });

  it('writes lists as member children', () => {
    const model = {
      ...sts,
      operations: {
        ListThings: {
          name: 'ListThings',
          http: { method: 'POST', requestUri: '/' },
          output: { shape: 'Out', resultWrapper: 'ListThingsResult' },
        },
      },
      shapes: {
        ...sts.shapes,
        Out: { type: 'structure' as const, members: { Keys: { shape: 'tagKeyListType' } } },
      },
    };

    const xml = toQueryXml(model, 'ListThings', { Keys: ['a', 'b'] }, 'r');

    assert.ok(
      xml.includes(
        '<ListThingsResult><Keys><member>a</member><member>b</member></Keys></ListThingsResult>',
      ),
    );
  });
});
