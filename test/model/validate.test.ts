import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadServiceModel } from '../../src/model/service-model.js';
import { decodeInput, decodeQueryInput, formatViolations } from '../../src/model/validate.js';

const ecs = loadServiceModel('ecs');
const cloudtrail = loadServiceModel('cloudtrail');
const sts = loadServiceModel('sts');

describe('decodeInput (ECS)', () => {
  it('returns a required violation when value is missing', () => {
    const { violations } = decodeInput(ecs, 'PutAccountSetting', { name: 'containerInsights' });

    assert.deepEqual(violations, [
      {
        path: 'value',
        constraint: 'required',
        message: 'Member must not be null',
        shape: 'String',
      },
    ]);
    assert.equal(
      formatViolations(violations),
      "1 validation error detected: Value null at 'value' failed to satisfy constraint: Member must not be null",
    );
  });

  it('treats a null member as absent', () => {
    const { violations } = decodeInput(ecs, 'PutAccountSetting', {
      name: 'fargateFIPSMode',
      value: null,
    });

    assert.equal(violations.length, 1);
    assert.equal(violations[0]?.constraint, 'required');
  });

  it('returns an enum violation for an unknown setting name', () => {
    const { value, violations } = decodeInput(ecs, 'PutAccountSetting', {
      name: 'bogus',
      value: 'enabled',
    });

    assert.equal(violations.length, 1);
    assert.equal(violations[0]?.constraint, 'enum');
    assert.equal(violations[0]?.path, 'name');
    assert.equal(violations[0]?.shape, 'SettingName');
    assert.equal(violations[0]?.value, 'bogus');
    assert.match(
      violations[0]?.message ?? '',
      /^Member must satisfy enum value set: \[serviceLongArnFormat, /,
    );
    assert.match(
      formatViolations(violations),
      /^1 validation error detected: Value 'bogus' at 'name' failed/,
    );
    assert.equal(value.value, 'enabled');
  });

  it('accepts dualStackIPv6, which fedgate adds to the SettingName enum', () => {
    const input = { name: 'dualStackIPv6', value: 'enabled' };

    const { value, violations } = decodeInput(ecs, 'PutAccountSetting', input);

    assert.deepEqual(violations, []);
    assert.deepEqual(value, input);
    assert.deepEqual(
      ecs.fedgateAdditions?.map((a) => a.shape),
      ['SettingName'],
    );
  });

  it('returns type violations for a maxResults that is not an integer', () => {
    for (const maxResults of ['10', 1.5, true]) {
      const { value, violations } = decodeInput(ecs, 'ListAccountSettings', { maxResults });

      assert.equal(violations.length, 1, `for ${JSON.stringify(maxResults)}`);
      assert.equal(violations[0]?.constraint, 'type');
      assert.equal(violations[0]?.path, 'maxResults');
      assert.equal(violations[0]?.value, maxResults);
      assert.equal(value.maxResults, undefined);
    }
  });

  it('accepts an integral maxResults and a missing input', () => {
    assert.deepEqual(decodeInput(ecs, 'ListAccountSettings', { maxResults: 10 }).violations, []);
    assert.deepEqual(decodeInput(ecs, 'ListAccountSettings', undefined), {
      value: {},
      violations: [],
    });
  });

  it('reports bad map values at the map path and keeps a __proto__ key as data', () => {
    const dockerLabels = JSON.parse('{"__proto__": "x", "bad": 1}') as unknown;
    const input = { family: 'web', containerDefinitions: [{ name: 'app', dockerLabels }] };

    const { value, violations } = decodeInput(ecs, 'RegisterTaskDefinition', input);

    assert.deepEqual(
      violations.map((v) => [v.path, v.message]),
      [
        [
          'containerDefinitions.1.member.dockerLabels',
          'Map value must satisfy constraint: [Member must be of type string]',
        ],
      ],
    );
    const [definition] = value.containerDefinitions as { dockerLabels: Record<string, unknown> }[];
    assert.deepEqual(Object.keys(definition?.dockerLabels ?? {}), ['__proto__']);
    assert.equal(Object.getPrototypeOf(definition?.dockerLabels), Object.prototype);
  });

  it('throws for an operation the model does not have', () => {
    assert.throws(() => decodeInput(ecs, 'NoSuchOperation', {}), /no operation NoSuchOperation/);
  });
});

describe('decodeInput (CloudTrail LookupEvents)', () => {
  it('returns a range violation for MaxResults 51', () => {
    const { violations } = decodeInput(cloudtrail, 'LookupEvents', { MaxResults: 51 });

    assert.deepEqual(violations, [
      {
        path: 'maxResults',
        constraint: 'range',
        message: 'Member must have value less than or equal to 50',
        value: 51,
        shape: 'MaxResults',
      },
    ]);
    assert.equal(
      formatViolations(violations),
      "1 validation error detected: Value '51' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50",
    );
  });

  it('returns an enum violation at the list element path for AttributeKey Foo', () => {
    const input = { LookupAttributes: [{ AttributeKey: 'Foo', AttributeValue: 'x' }] };

    const { violations } = decodeInput(cloudtrail, 'LookupEvents', input);

    assert.equal(violations.length, 1);
    assert.equal(violations[0]?.path, 'lookupAttributes.1.member.attributeKey');
    assert.equal(violations[0]?.shape, 'LookupAttributeKey');
    assert.equal(
      violations[0]?.message,
      'Member must satisfy enum value set: [EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource, AccessKeyId]',
    );
  });

  it('returns a length violation for an empty AttributeValue', () => {
    const input = { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: '' }] };

    const { violations } = decodeInput(cloudtrail, 'LookupEvents', input);

    assert.deepEqual(violations, [
      {
        path: 'lookupAttributes.1.member.attributeValue',
        constraint: 'length',
        message: 'Member must have length greater than or equal to 1',
        value: '',
        shape: 'LookupAttributeValue',
      },
    ]);
  });

  it('decodes StartTime epoch seconds and ISO strings to Dates', () => {
    const input = { StartTime: 1764778749.5, EndTime: '2025-12-03T16:19:09Z' };

    const { value, violations } = decodeInput(cloudtrail, 'LookupEvents', input);

    assert.deepEqual(violations, []);
    assert.deepEqual(value.StartTime, new Date(1764778749500));
    assert.deepEqual(value.EndTime, new Date('2025-12-03T16:19:09Z'));
  });

  it('returns a type violation for a StartTime that is not a timestamp', () => {
    const { violations } = decodeInput(cloudtrail, 'LookupEvents', { StartTime: 'yesterday' });

    assert.equal(violations[0]?.constraint, 'type');
    assert.equal(violations[0]?.path, 'startTime');
  });

  it('drops unknown members, also inside list elements', () => {
    const input = {
      MaxResults: 5,
      Bogus: 1,
      LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'RunTask', Extra: true }],
    };

    const { value, violations } = decodeInput(cloudtrail, 'LookupEvents', input);

    assert.deepEqual(violations, []);
    assert.deepEqual(value, {
      MaxResults: 5,
      LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'RunTask' }],
    });
  });

  it('joins several violations into one message', () => {
    const input = {
      MaxResults: 0,
      LookupAttributes: [{ AttributeKey: 'Foo', AttributeValue: '' }],
    };

    const message = formatViolations(decodeInput(cloudtrail, 'LookupEvents', input).violations);

    assert.match(
      message,
      /^3 validation errors detected: Value 'Foo' at 'lookupAttributes\.1\.member\.attributeKey'/,
    );
    assert.match(
      message,
      /; Value '' at 'lookupAttributes\.1\.member\.attributeValue' failed to satisfy constraint: Member must have length greater than or equal to 1; /,
    );
    assert.match(
      message,
      /; Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1$/,
    );
  });

  it('cuts long values in messages', () => {
    const long = 'x'.repeat(3000);
    const input = { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: long }] };

    const message = formatViolations(decodeInput(cloudtrail, 'LookupEvents', input).violations);

    assert.ok(message.includes(`Value '${'x'.repeat(200)}...' at`));
    assert.ok(message.length < 400);
  });
});

describe('decodeQueryInput (STS)', () => {
  it('turns flat AssumeRole parameters into the nested input', () => {
    const params = new URLSearchParams({
      Action: 'AssumeRole',
      Version: '2011-06-15',
      RoleArn: 'arn:aws:iam::123456789012:role/deploy',
      RoleSessionName: 'ci',
      DurationSeconds: '3600',
      'Tags.member.1.Key': 'team',
      'Tags.member.1.Value': 'platform',
      'Tags.member.2.Key': 'env',
      'Tags.member.2.Value': 'prod',
      'TransitiveTagKeys.member.1': 'team',
      'PolicyArns.member.1.arn': 'arn:aws:iam::aws:policy/ReadOnlyAccess',
    });

    const { value, violations } = decodeQueryInput(sts, 'AssumeRole', params);

    assert.deepEqual(violations, []);
    assert.deepEqual(value, {
      RoleArn: 'arn:aws:iam::123456789012:role/deploy',
      RoleSessionName: 'ci',
      PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
      DurationSeconds: 3600,
      Tags: [
        { Key: 'team', Value: 'platform' },
        { Key: 'env', Value: 'prod' },
      ],
      TransitiveTagKeys: ['team'],
    });
  });

  it('reads a bare list parameter as an empty list', () => {
    const params = new URLSearchParams(
      'RoleArn=arn:aws:iam::123456789012:role/x&RoleSessionName=s&Tags=',
    );

    assert.deepEqual(decodeQueryInput(sts, 'AssumeRole', params).value.Tags, []);
  });

  it('returns required, range and type violations with AWS paths', () => {
    const params = new URLSearchParams('RoleSessionName=s1&DurationSeconds=60&Tags.member.1.Key=a');

    const { violations } = decodeQueryInput(sts, 'AssumeRole', params);

    assert.deepEqual(
      violations.map((v) => [v.path, v.constraint]),
      [
        ['roleArn', 'required'],
        ['durationSeconds', 'range'],
        ['tags.1.member.value', 'required'],
      ],
    );
    const typed = decodeQueryInput(sts, 'AssumeRole', new URLSearchParams('DurationSeconds=abc'));
    assert.ok(
      typed.violations.some((v) => v.path === 'durationSeconds' && v.constraint === 'type'),
    );
  });

  it('decodes an operation whose input has no members', () => {
    const params = new URLSearchParams('Action=GetCallerIdentity&Version=2011-06-15');

    assert.deepEqual(decodeQueryInput(sts, 'GetCallerIdentity', params), {
      value: {},
      violations: [],
    });
  });
});
