import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type CPUArchitecture,
  type NetworkMode,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { ecsClient } from '../support/clients.js';
import { rejectsWith } from '../support/errors.js';
import { startTestServer, type TestServer } from '../support/fedgate.js';
import {
  busyboxContainer,
  fargateTaskDefinition,
  uniqueFamily,
} from '../support/task-definitions.js';

const GOV = 'us-gov-west-1';
const REVISION_REQUIRED =
  'A revision is required: name the task definition as family:revision or by its full ARN.';

/** An EC2 (bridge) definition: only the rules every launch type shares apply to it. */
const ec2 = (overrides: Partial<RegisterTaskDefinitionCommandInput>) =>
  fargateTaskDefinition({
    requiresCompatibilities: undefined,
    networkMode: undefined,
    cpu: undefined,
    memory: '512',
    ...overrides,
  });

/** [when, request, the message AWS (or fedgate, where AWS is silent) answers with]. */
const CLIENT_EXCEPTIONS: [string, RegisterTaskDefinitionCommandInput, RegExp][] = [
  ['the family is blank', ec2({ family: '' }), /^Family can not be blank\.$/],
  [
    'the family has a character other than letters, digits, - and _',
    ec2({ family: 'web/app' }),
    /^Family contains invalid characters\.$/,
  ],
  ['the family is longer than 255 characters', ec2({ family: 'f'.repeat(256) }), /255/],
  [
    'there is no container',
    ec2({ containerDefinitions: [] }),
    /^Container list cannot be empty\.$/,
  ],
  [
    'a container has no name',
    ec2({ containerDefinitions: [busyboxContainer({ name: undefined })] }),
    /^Container\.name should not be null or empty\.$/,
  ],
  [
    'a container name has invalid characters',
    ec2({ containerDefinitions: [busyboxContainer({ name: 'my app' })] }),
    /^Container\.name contains invalid characters\.$/,
  ],
  [
    'a container has no image',
    ec2({ containerDefinitions: [busyboxContainer({ image: '' })] }),
    /^Container\.image should not be null or empty\.$/,
  ],
  [
    'two containers have the same name',
    ec2({ containerDefinitions: [busyboxContainer(), busyboxContainer()] }),
    /^Container names must be unique within a Task Definition\.$/,
  ],
  [
    'no container is essential',
    ec2({ containerDefinitions: [busyboxContainer({ essential: false })] }),
    /^Task definition doesn't have any essential container\.$/,
  ],
  [
    'Fargate is required with the bridge network mode',
    fargateTaskDefinition({ networkMode: 'bridge' }),
    /^Fargate only supports network mode ‘awsvpc’\.$/,
  ],
  [
    'Fargate is required without a network mode',
    fargateTaskDefinition({ networkMode: undefined }),
    /^Fargate only supports network mode ‘awsvpc’\.$/,
  ],
  [
    'Fargate is required without task cpu',
    fargateTaskDefinition({ cpu: undefined }),
    /^Fargate requires that 'cpu' be defined at the task level\.$/,
  ],
  [
    'Fargate is required without task memory',
    fargateTaskDefinition({ memory: undefined }),
    /^Fargate requires that 'memory' be defined at the task level\.$/,
  ],
  [
    'Fargate has no such cpu and memory pair',
    fargateTaskDefinition({ cpu: '256', memory: '4096' }),
    /^No Fargate configuration exists for given values: 256 CPU, 4096 memory\./,
  ],
  [
    'Windows on Fargate gets less than 1 vCPU',
    fargateTaskDefinition({
      cpu: '512',
      memory: '1024',
      runtimePlatform: { operatingSystemFamily: 'WINDOWS_SERVER_2022_CORE' },
    }),
    /^No Fargate configuration exists for given values: 512 CPU, 1024 memory\./,
  ],
  [
    'Windows on Fargate asks for ARM64',
    fargateTaskDefinition({
      cpu: '1024',
      memory: '2048',
      runtimePlatform: {
        operatingSystemFamily: 'WINDOWS_SERVER_2022_CORE',
        cpuArchitecture: 'ARM64',
      },
    }),
    /ARM64/,
  ],
  [
    'Fargate is required with an ipcMode',
    fargateTaskDefinition({ ipcMode: 'task' }),
    /^Tasks using the Fargate launch type do not support ipcMode\.$/,
  ],
  ['the task cpu is not a number', ec2({ cpu: 'lots' }), /^Invalid 'cpu' setting for task\./],
  ['the task cpu is below 128 units', ec2({ cpu: '64' }), /^Invalid 'cpu' setting for task\./],
  ['the task memory is not a size', ec2({ memory: '1 TB' }), /^Invalid 'memory' setting/],
  [
    'a container has more memory than the task',
    ec2({ memory: '512', containerDefinitions: [busyboxContainer({ memory: 1024 })] }),
    /^The 'memory' setting for container 'app' is greater than for the task\.$/,
  ],
  [
    'the containers reserve more memory than the task has',
    ec2({
      memory: '512',
      containerDefinitions: [
        busyboxContainer({ memoryReservation: 300 }),
        busyboxContainer({ name: 'side', memory: 300 }),
      ],
    }),
    /^The sum of all container 'memory' values cannot be greater than/,
  ],
  [
    'the containers use more cpu than the task has',
    fargateTaskDefinition({ containerDefinitions: [busyboxContainer({ cpu: 512 })] }),
    /^The sum of all container 'cpu' values cannot be greater than the value of the task 'cpu'\.$/,
  ],
  [
    'neither the task nor a container sets memory',
    ec2({ memory: undefined }),
    /^Invalid setting for container 'app'\. At least one of 'memory' or 'memoryReservation' must/,
  ],
  [
    'a container reserves more memory than its limit',
    ec2({ containerDefinitions: [busyboxContainer({ memory: 128, memoryReservation: 256 })] }),
    /'memoryReservation' must be less than or equal to 'memory'/,
  ],
  [
    'an awsvpc port mapping has a different host port',
    fargateTaskDefinition({
      containerDefinitions: [
        busyboxContainer({ portMappings: [{ containerPort: 80, hostPort: 8080 }] }),
      ],
    }),
    /^When networkMode=awsvpc, the host ports and container ports in port mappings must match\.$/,
  ],
  [
    'an awsvpc container sets a hostname',
    fargateTaskDefinition({ containerDefinitions: [busyboxContainer({ hostname: 'web' })] }),
    /^hostname is not supported on container when networkMode=awsvpc\.$/,
  ],
  [
    'the ephemeral storage is smaller than 21 GiB',
    fargateTaskDefinition({ ephemeralStorage: { sizeInGiB: 20 } }),
    /between 21 and 200 GiB/,
  ],
];

describe('ECS task definition validation', () => {
  let server: TestServer;
  let ecs: ECSClient;

  before(async () => {
    server = await startTestServer();
    ecs = ecsClient({ endpoint: server.url, credentials: server.root, region: GOV });
  });
  after(() => server.stop());

  const register = (input: RegisterTaskDefinitionCommandInput) =>
    ecs.send(new RegisterTaskDefinitionCommand(input));

  for (const [when, input, message] of CLIENT_EXCEPTIONS) {
    it(`returns ClientException when ${when}`, async () => {
      assert.match(await rejectsWith(register(input), 'ClientException'), message);
    });
  }

  it('returns InvalidParameterException when an enum value is not in the model', async () => {
    const weirdMode = fargateTaskDefinition({ networkMode: 'overlay' as NetworkMode });
    const weirdArch = fargateTaskDefinition({
      runtimePlatform: { cpuArchitecture: 'MIPS' as CPUArchitecture },
    });
    for (const input of [weirdMode, weirdArch]) {
      const message = await rejectsWith(register(input), 'InvalidParameterException');
      assert.match(message, /failed to satisfy constraint: Member must satisfy enum value set/);
    }
  });

  it('returns InvalidParameterException for an aws: tag key, using up no revision', async () => {
    const family = uniqueFamily();
    await rejectsWith(
      register(fargateTaskDefinition({ family, tags: [{ key: 'aws:owner', value: 'me' }] })),
      'InvalidParameterException',
    );
    const out = await register(fargateTaskDefinition({ family }));
    assert.equal(out.taskDefinition?.revision, 1);
  });

  it('returns ClientException when DescribeTaskDefinition names nothing', async () => {
    for (const taskDefinition of ['no-such-family', 'no-such-family:3', 'arn:aws:ecs:nowhere']) {
      const message = await rejectsWith(
        ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition })),
        'ClientException',
      );
      assert.equal(message, 'Unable to describe task definition.');
    }
  });

  it('returns ClientException when a revision is not a positive number', async () => {
    const message = await rejectsWith(
      ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web:latest' })),
      'ClientException',
    );
    assert.equal(message, 'Invalid revision number. Number: latest');
  });

  it('returns ClientException when a deregistration lacks a revision or a target', async () => {
    const family = uniqueFamily();
    await register(fargateTaskDefinition({ family }));
    const bare = await rejectsWith(
      ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: family })),
      'ClientException',
    );
    assert.match(bare, /revision is required/);
    const missing = await rejectsWith(
      ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: `${family}:2` })),
      'ClientException',
    );
    assert.equal(missing, 'The specified task definition does not exist.');
  });

  it('answers a second DeregisterTaskDefinition with the revision as it is', async () => {
    const family = uniqueFamily();
    await register(fargateTaskDefinition({ family }));
    const deregister = () =>
      ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: `${family}:1` }));
    const first = await deregister();
    const again = await deregister();
    assert.equal(again.taskDefinition?.status, 'INACTIVE');
    assert.deepEqual(again.taskDefinition?.deregisteredAt, first.taskDefinition?.deregisteredAt);
  });

  it('returns InvalidParameterException when deleting more than 10 at once', async () => {
    const taskDefinitions = Array.from({ length: 11 }, (_, i) => `web:${i + 1}`);
    await rejectsWith(
      ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions })),
      'InvalidParameterException',
    );
  });

  it('reports DeleteTaskDefinitions entries without a valid revision as failures', async () => {
    const out = await ecs.send(
      new DeleteTaskDefinitionsCommand({ taskDefinitions: ['web', 'web:latest'] }),
    );
    assert.deepEqual(out.taskDefinitions, []);
    assert.deepEqual(
      out.failures?.map((f) => [f.arn, f.reason, f.detail]),
      [
        ['web', 'INVALID_TASK_DEFINITION', REVISION_REQUIRED],
        ['web:latest', 'INVALID_TASK_DEFINITION', 'Invalid revision number. Number: latest'],
      ],
    );
  });
});
