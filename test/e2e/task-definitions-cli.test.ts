import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { awsCli, requireAwsCli } from '../support/aws-cli.js';
import { startTestServer, type TestServer } from '../support/fedgate.js';
import { fargateTaskDefinition, uniqueFamily } from '../support/task-definitions.js';

const GOV = 'us-gov-west-1';

/** Task definitions through the real AWS CLI v2, as a user at a terminal drives them. */
describe('ECS task definitions with the AWS CLI', () => {
  let server: TestServer;

  before(async () => {
    requireAwsCli();
    server = await startTestServer();
  });
  after(() => server.stop());

  const arnFor = (family: string, revision: number) =>
    `arn:aws-us-gov:ecs:${GOV}:${server.root.accountId}:task-definition/${family}:${revision}`;

  it('registers and describes with the AWS CLI v2 (--cli-input-json)', async () => {
    const input = fargateTaskDefinition();
    const registered = await awsCli(server.url, server.root, GOV, [
      'ecs',
      'register-task-definition',
      '--cli-input-json',
      JSON.stringify(input),
    ]);
    assert.equal(registered.code, 0, registered.stderr);
    const answer = JSON.parse(registered.stdout) as { taskDefinition: Record<string, unknown> };
    assert.equal(answer.taskDefinition.taskDefinitionArn, arnFor(input.family ?? '', 1));
    assert.deepEqual(answer.taskDefinition.compatibilities, ['EC2', 'FARGATE']);

    const described = await awsCli(server.url, server.root, GOV, [
      'ecs',
      'describe-task-definition',
      '--task-definition',
      `${input.family ?? ''}:1`,
    ]);
    assert.equal(described.code, 0, described.stderr);
    assert.equal(JSON.parse(described.stdout).taskDefinition.cpu, '256');
  });

  it('registers with --container-definitions, and shows a ClientException', async () => {
    const family = uniqueFamily('cli');
    const base = ['ecs', 'register-task-definition', '--family', family];
    const containers = ['--container-definitions', '[{"name":"app","image":"busybox"}]'];
    const fargate = ['--requires-compatibilities', 'FARGATE', '--cpu', '256', '--memory', '512'];

    const refused = await awsCli(server.url, server.root, GOV, [
      ...base,
      ...containers,
      ...fargate,
    ]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /ClientException.*Fargate only supports network mode/);

    const accepted = await awsCli(server.url, server.root, GOV, [
      ...base,
      ...containers,
      ...fargate,
      '--network-mode',
      'awsvpc',
    ]);
    assert.equal(accepted.code, 0, accepted.stderr);
    assert.equal(JSON.parse(accepted.stdout).taskDefinition.revision, 1);
  });
});
