import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  AddTagsCommand,
  CreateTrailCommand,
  DeleteTrailCommand,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
  ListPublicKeysCommand,
  ListTagsCommand,
  ListTrailsCommand,
  PutEventSelectorsCommand,
  RemoveTagsCommand,
  StartLoggingCommand,
  StopLoggingCommand,
  UpdateTrailCommand,
  type CloudTrailClient,
} from '@aws-sdk/client-cloudtrail';
import { cloudTrailClient, type ClientTarget } from '../support/clients.js';
import { rejectsWith } from '../support/errors.js';
import { startTestServer, type TestServer } from '../support/fedgate.js';
import { createTestAccount } from '../support/fedgate-cli.js';
import { createTrailBucket } from '../support/trail-bucket.js';

const EAST = 'us-gov-east-1';
const WEST = 'us-gov-west-1';

describe('CloudTrail trails API', () => {
  let server: TestServer;
  let east: CloudTrailClient;
  let west: CloudTrailClient;
  let target: (region: string) => ClientTarget;
  let bucket: string;
  let names = 0;
  const nextName = () => `trail-${++names}`;

  before(async () => {
    server = await startTestServer({ digestInterval: 1 });
    target = (region) => ({ endpoint: server.url, credentials: server.root, region });
    east = cloudTrailClient(target(EAST));
    west = cloudTrailClient(target(WEST));
    bucket = 'trail-api-logs';
    await createTrailBucket(target(EAST), { bucket, accountId: server.root.accountId });
  });

  after(async () => server.stop());

  // Five trails per region: each test starts from none.
  afterEach(async () => {
    const { Trails = [] } = await east.send(new ListTrailsCommand({}));
    for (const trail of Trails) {
      const client = cloudTrailClient(target(trail.HomeRegion ?? EAST));
      await client.send(new DeleteTrailCommand({ Name: trail.TrailARN }));
    }
  });

  it('creates a trail with the ARN, defaults and response AWS gives', async () => {
    const name = nextName();
    const created = await east.send(
      new CreateTrailCommand({ Name: name, S3BucketName: bucket, EnableLogFileValidation: true }),
    );
    assert.equal(
      created.TrailARN,
      `arn:aws-us-gov:cloudtrail:${EAST}:${server.root.accountId}:trail/${name}`,
    );
    assert.equal(created.IncludeGlobalServiceEvents, true);
    assert.equal(created.IsMultiRegionTrail, false);
    assert.equal(created.LogFileValidationEnabled, true);

    const status = await east.send(new GetTrailStatusCommand({ Name: name }));
    assert.equal(status.IsLogging, false);
  });

  it('returns InvalidTrailNameException for names that break the rules', async () => {
    for (const bad of [
      'ab',
      '-abc',
      'abc-',
      'a--b',
      'a._b',
      '10.0.0.1',
      'spaces here',
      'x'.repeat(129),
    ]) {
      await rejectsWith(
        east.send(new CreateTrailCommand({ Name: bad, S3BucketName: bucket })),
        'InvalidTrailNameException',
      );
    }
  });

  it('returns S3BucketDoesNotExistException when the bucket is missing', async () => {
    const message = await rejectsWith(
      east.send(new CreateTrailCommand({ Name: nextName(), S3BucketName: 'no-such-bucket-here' })),
      'S3BucketDoesNotExistException',
    );
    assert.match(message, /no-such-bucket-here/);
  });

  it('returns InsufficientS3BucketPolicyException without CloudTrail’s bucket policy', async () => {
    await createTrailBucket(target(EAST), {
      bucket: 'trail-api-no-policy',
      accountId: server.root.accountId,
      withPolicy: false,
    });
    const message = await rejectsWith(
      east.send(new CreateTrailCommand({ Name: nextName(), S3BucketName: 'trail-api-no-policy' })),
      'InsufficientS3BucketPolicyException',
    );
    assert.equal(message, 'Incorrect S3 bucket policy is detected for bucket: trail-api-no-policy');

    // The policy covers AWSLogs/<account>/ directly under the bucket, not under a prefix.
    await rejectsWith(
      east.send(
        new CreateTrailCommand({ Name: nextName(), S3BucketName: bucket, S3KeyPrefix: 'other' }),
      ),
      'InsufficientS3BucketPolicyException',
    );
  });

  it('returns TrailAlreadyExistsException for a name the region already sees', async () => {
    const name = nextName();
    await west.send(
      new CreateTrailCommand({ Name: name, S3BucketName: bucket, IsMultiRegionTrail: true }),
    );
    await rejectsWith(
      west.send(new CreateTrailCommand({ Name: name, S3BucketName: bucket })),
      'TrailAlreadyExistsException',
    );
    // Its shadow in us-gov-east-1 holds the name there too.
    await rejectsWith(
      east.send(new CreateTrailCommand({ Name: name, S3BucketName: bucket })),
      'TrailAlreadyExistsException',
    );
    await west.send(new DeleteTrailCommand({ Name: name }));
  });

  it('returns InvalidParameterCombinationException for a multi-region trail without global events', async () => {
    await rejectsWith(
      east.send(
        new CreateTrailCommand({
          Name: nextName(),
          S3BucketName: bucket,
          IsMultiRegionTrail: true,
          IncludeGlobalServiceEvents: false,
        }),
      ),
      'InvalidParameterCombinationException',
    );
  });

  it('refuses options that need services fedgate does not have', async () => {
    const base = { Name: nextName(), S3BucketName: bucket };
    await rejectsWith(
      east.send(new CreateTrailCommand({ ...base, KmsKeyId: 'alias/logs' })),
      'KmsKeyNotFoundException',
    );
    await rejectsWith(
      east.send(new CreateTrailCommand({ ...base, SnsTopicName: 'topic' })),
      'InsufficientSnsTopicPolicyException',
    );
    await rejectsWith(
      east.send(new CreateTrailCommand({ ...base, IsOrganizationTrail: true })),
      'OrganizationsNotInUseException',
    );
  });

  it('shows a multi-region trail as a shadow in the other region, changed only from home', async () => {
    const name = nextName();
    const { TrailARN: arn } = await east.send(
      new CreateTrailCommand({ Name: name, S3BucketName: bucket, IsMultiRegionTrail: true }),
    );

    const shadows = await west.send(new DescribeTrailsCommand({}));
    const shadow = shadows.trailList?.find((trail) => trail.TrailARN === arn);
    assert.equal(shadow?.HomeRegion, EAST);
    const own = await west.send(new DescribeTrailsCommand({ includeShadowTrails: false }));
    assert.equal(
      own.trailList?.some((trail) => trail.TrailARN === arn),
      false,
    );

    assert.equal((await west.send(new GetTrailCommand({ Name: name }))).Trail?.TrailARN, arn);
    await rejectsWith(
      west.send(new UpdateTrailCommand({ Name: name, EnableLogFileValidation: true })),
      'InvalidHomeRegionException',
    );
    await rejectsWith(
      west.send(new StartLoggingCommand({ Name: arn })),
      'InvalidHomeRegionException',
    );
    await rejectsWith(
      west.send(new DeleteTrailCommand({ Name: name })),
      'InvalidHomeRegionException',
    );

    const updated = await east.send(
      new UpdateTrailCommand({
        Name: arn,
        EnableLogFileValidation: true,
        IsMultiRegionTrail: false,
      }),
    );
    assert.equal(updated.LogFileValidationEnabled, true);
    await rejectsWith(west.send(new GetTrailCommand({ Name: name })), 'TrailNotFoundException');

    const listed = await west.send(new ListTrailsCommand({}));
    assert.deepEqual(
      listed.Trails?.find((trail) => trail.TrailARN === arn),
      { TrailARN: arn, Name: name, HomeRegion: EAST },
    );
  });

  it('returns MaximumNumberOfTrailsExceededException for a sixth trail in a region', async () => {
    const region = 'us-east-1';
    const client = cloudTrailClient(target(region));
    await createTrailBucket(target(region), {
      bucket: 'trail-api-commercial',
      accountId: server.root.accountId,
    });
    for (let i = 0; i < 5; i += 1) {
      await client.send(
        new CreateTrailCommand({ Name: `five-${i}`, S3BucketName: 'trail-api-commercial' }),
      );
    }
    const message = await rejectsWith(
      client.send(new CreateTrailCommand({ Name: 'five-5', S3BucketName: 'trail-api-commercial' })),
      'MaximumNumberOfTrailsExceededException',
    );
    assert.match(message, /5 trails in us-east-1/);
  });

  it('reports logging times through start and stop', async () => {
    const name = nextName();
    await east.send(new CreateTrailCommand({ Name: name, S3BucketName: bucket }));

    await east.send(new StartLoggingCommand({ Name: name }));
    const started = await east.send(new GetTrailStatusCommand({ Name: name }));
    assert.equal(started.IsLogging, true);
    assert.ok(started.StartLoggingTime instanceof Date);
    assert.match(started.TimeLoggingStarted ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    await east.send(new StopLoggingCommand({ Name: name }));
    const stopped = await east.send(new GetTrailStatusCommand({ Name: name }));
    assert.equal(stopped.IsLogging, false);
    assert.ok(stopped.StopLoggingTime instanceof Date);
  });

  it('answers the default event selector and stores new ones', async () => {
    const name = nextName();
    await east.send(new CreateTrailCommand({ Name: name, S3BucketName: bucket }));
    const initial = await east.send(new GetEventSelectorsCommand({ TrailName: name }));
    assert.deepEqual(initial.EventSelectors, [
      {
        ReadWriteType: 'All',
        IncludeManagementEvents: true,
        DataResources: [],
        ExcludeManagementEventSources: [],
      },
    ]);

    await east.send(
      new PutEventSelectorsCommand({
        TrailName: name,
        EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }],
      }),
    );
    const stored = await east.send(new GetEventSelectorsCommand({ TrailName: name }));
    assert.equal(stored.EventSelectors?.[0]?.ReadWriteType, 'WriteOnly');
    const described = await east.send(new GetTrailCommand({ Name: name }));
    assert.equal(described.Trail?.HasCustomEventSelectors, true);
  });

  it('returns InvalidEventSelectorsException and InvalidParameterCombinationException for bad selectors', async () => {
    const name = nextName();
    await east.send(new CreateTrailCommand({ Name: name, S3BucketName: bucket }));
    await rejectsWith(
      east.send(
        new PutEventSelectorsCommand({
          TrailName: name,
          EventSelectors: [{ ExcludeManagementEventSources: ['ecs.amazonaws.com'] }],
        }),
      ),
      'InvalidEventSelectorsException',
    );
    await rejectsWith(
      east.send(
        new PutEventSelectorsCommand({
          TrailName: name,
          EventSelectors: [{}],
          AdvancedEventSelectors: [
            { FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
          ],
        }),
      ),
      'InvalidParameterCombinationException',
    );
    await rejectsWith(
      east.send(
        new PutEventSelectorsCommand({ TrailName: name, EventSelectors: Array(6).fill({}) }),
      ),
      'InvalidEventSelectorsException',
    );
  });

  it('tags trails and keeps other accounts out', async () => {
    const name = nextName();
    const { TrailARN: arn = '' } = await east.send(
      new CreateTrailCommand({
        Name: name,
        S3BucketName: bucket,
        TagsList: [{ Key: 'team', Value: 'a' }],
      }),
    );
    await east.send(
      new AddTagsCommand({ ResourceId: arn, TagsList: [{ Key: 'env', Value: 'test' }] }),
    );
    await east.send(new RemoveTagsCommand({ ResourceId: arn, TagsList: [{ Key: 'team' }] }));
    const tags = await east.send(new ListTagsCommand({ ResourceIdList: [arn] }));
    assert.deepEqual(tags.ResourceTagList, [
      { ResourceId: arn, TagsList: [{ Key: 'env', Value: 'test' }] },
    ]);

    const other = await createTestAccount(server.dataDir);
    const stranger = cloudTrailClient({
      endpoint: server.url,
      region: EAST,
      credentials: { accessKeyId: other.AccessKeyId, secretAccessKey: other.SecretAccessKey },
    });
    await rejectsWith(stranger.send(new GetTrailCommand({ Name: arn })), 'TrailNotFoundException');
    await rejectsWith(
      stranger.send(new ListTagsCommand({ ResourceIdList: [arn] })),
      'ResourceNotFoundException',
    );
    assert.deepEqual((await stranger.send(new DescribeTrailsCommand({}))).trailList, []);
    await rejectsWith(
      stranger.send(new CreateTrailCommand({ Name: nextName(), S3BucketName: bucket })),
      'InsufficientS3BucketPolicyException',
    );
  });

  it('returns TrailNotFoundException and CloudTrailARNInvalidException for unknown trails', async () => {
    const message = await rejectsWith(
      east.send(new GetTrailStatusCommand({ Name: 'missing-trail' })),
      'TrailNotFoundException',
    );
    assert.equal(message, `Unknown trail: missing-trail for the user: ${server.root.accountId}`);
    await rejectsWith(
      east.send(new GetTrailCommand({ Name: 'arn:aws:cloudtrail:nowhere' })),
      'CloudTrailARNInvalidException',
    );
  });

  it('lists the region’s digest-signing key once a digest was signed', async () => {
    const name = nextName();
    await east.send(
      new CreateTrailCommand({ Name: name, S3BucketName: bucket, EnableLogFileValidation: true }),
    );
    await east.send(new StartLoggingCommand({ Name: name }));
    // A chain's first digest is due one digest interval (here 1 s) after logging started.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await server.trails?.flush();

    const keys = await east.send(
      new ListPublicKeysCommand({
        StartTime: new Date(Date.now() - 3_600_000),
        EndTime: new Date(),
      }),
    );
    const key = keys.PublicKeyList?.[0];
    assert.ok(key?.Value && key.Fingerprint);
    const der = Buffer.from(key.Value);
    assert.equal(createHash('md5').update(der).digest('hex'), key.Fingerprint);
    await rejectsWith(
      east.send(new ListPublicKeysCommand({ StartTime: new Date(), EndTime: new Date(0) })),
      'InvalidTimeRangeException',
    );
  });
});
