import type { Random } from './random.js';

/** One kind of API call in the seeded history. */
export interface EventKind {
  readonly name: string;
  readonly source: 'ecs.amazonaws.com' | 'cloudtrail.amazonaws.com' | 'sts.amazonaws.com';
  readonly readOnly: boolean;
  /** Relative frequency. */
  readonly weight: number;
  readonly request: (ctx: CallShape) => Record<string, unknown> | null;
  readonly response?: (ctx: CallShape) => Record<string, unknown>;
}

/** What the parameter builders may vary. */
export interface CallShape {
  readonly random: Random;
  readonly accountId: string;
  readonly region: string;
}

const CLUSTERS = ['prod', 'staging', 'batch', 'analytics', 'edge'];
const FAMILIES = ['web', 'worker', 'scheduler', 'ingest', 'reports', 'api'];
const SETTINGS = ['containerInsights', 'awsvpcTrunking', 'serviceLongArnFormat', 'fargateFIPSMode'];

function arn(ctx: CallShape, resource: string): string {
  return `arn:aws-us-gov:ecs:${ctx.region}:${ctx.accountId}:${resource}`;
}

function taskArn(ctx: CallShape): string {
  return arn(ctx, `task/${ctx.random.pick(CLUSTERS)}/${ctx.random.hex(32)}`);
}

function taskDefinition(ctx: CallShape): string {
  return `${ctx.random.pick(FAMILIES)}:${1 + ctx.random.int(80)}`;
}

function setting(ctx: CallShape): Record<string, unknown> {
  return { name: ctx.random.pick(SETTINGS), value: ctx.random.pick(['enabled', 'disabled']) };
}

function runTaskRequest(ctx: CallShape): Record<string, unknown> {
  return {
    cluster: ctx.random.pick(CLUSTERS),
    count: 1,
    enableECSManagedTags: true,
    launchType: 'FARGATE',
    networkConfiguration: {
      awsvpcConfiguration: {
        assignPublicIp: 'DISABLED',
        securityGroups: [`sg-${ctx.random.hex(17)}`],
        subnets: [`subnet-${ctx.random.hex(17)}`, `subnet-${ctx.random.hex(17)}`],
      },
    },
    platformVersion: 'LATEST',
    startedBy: 'ci-deploy',
    taskDefinition: taskDefinition(ctx),
  };
}

function runTaskResponse(ctx: CallShape): Record<string, unknown> {
  return {
    failures: [],
    tasks: [
      {
        taskArn: taskArn(ctx),
        lastStatus: 'PROVISIONING',
        desiredStatus: 'RUNNING',
        cpu: '256',
        memory: '512',
        launchType: 'FARGATE',
        createdAt: 'Mar 1, 2024, 9:45:18 PM',
      },
    ],
  };
}

/** ~20 ECS, CloudTrail and STS calls, weighted like a busy account (reads dominate). */
export const EVENT_KINDS: readonly EventKind[] = [
  ecsRead('ListAccountSettings', 60, (c) => ({ effectiveSettings: true, name: setting(c).name })),
  ecsWrite('PutAccountSetting', 25, setting, (c) => ({ setting: setting(c) })),
  ecsWrite('PutAccountSettingDefault', 3, setting, (c) => ({ setting: setting(c) })),
  ecsWrite(
    'DeleteAccountSetting',
    2,
    (c) => ({ name: setting(c).name }),
    (c) => setting(c),
  ),
  ecsWrite('RunTask', 80, runTaskRequest, runTaskResponse),
  ecsRead('DescribeTasks', 150, (c) => ({ cluster: c.random.pick(CLUSTERS), tasks: [taskArn(c)] })),
  ecsWrite(
    'StopTask',
    40,
    (c) => ({ task: taskArn(c), reason: 'Scaling activity' }),
    (c) => ({
      task: { taskArn: taskArn(c), desiredStatus: 'STOPPED' },
    }),
  ),
  ecsRead('ListTasks', 120, (c) => ({
    cluster: c.random.pick(CLUSTERS),
    desiredStatus: 'RUNNING',
  })),
  ecsRead('DescribeClusters', 50, (c) => ({ clusters: [c.random.pick(CLUSTERS)] })),
  ecsRead('ListClusters', 40, () => ({ maxResults: 100 })),
  ecsWrite(
    'CreateCluster',
    2,
    (c) => ({ clusterName: c.random.pick(CLUSTERS) }),
    (c) => ({
      cluster: { clusterArn: arn(c, `cluster/${c.random.pick(CLUSTERS)}`), status: 'ACTIVE' },
    }),
  ),
  ecsWrite(
    'RegisterTaskDefinition',
    10,
    (c) => ({
      family: c.random.pick(FAMILIES),
      cpu: '256',
      memory: '512',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
    }),
    (c) => ({
      taskDefinition: { taskDefinitionArn: arn(c, `task-definition/${taskDefinition(c)}`) },
    }),
  ),
  ecsRead('DescribeTaskDefinition', 70, (c) => ({ taskDefinition: taskDefinition(c) })),
  ecsRead('ListTaskDefinitions', 20, (c) => ({ familyPrefix: c.random.pick(FAMILIES) })),
  ecsWrite(
    'DeregisterTaskDefinition',
    3,
    (c) => ({ taskDefinition: taskDefinition(c) }),
    (c) => ({
      taskDefinition: { taskDefinitionArn: arn(c, `task-definition/${taskDefinition(c)}`) },
    }),
  ),
  ecsRead('DescribeServices', 60, (c) => ({
    cluster: c.random.pick(CLUSTERS),
    services: [c.random.pick(FAMILIES)],
  })),
  ecsWrite(
    'UpdateService',
    8,
    (c) => ({
      cluster: c.random.pick(CLUSTERS),
      service: c.random.pick(FAMILIES),
      desiredCount: 1 + c.random.int(6),
    }),
    (c) => ({ service: { serviceArn: arn(c, `service/${c.random.pick(FAMILIES)}`) } }),
  ),
  other('cloudtrail.amazonaws.com', 'LookupEvents', 15, () => ({ maxResults: 50 })),
  other('cloudtrail.amazonaws.com', 'DescribeTrails', 5, () => ({ includeShadowTrails: true })),
  other('cloudtrail.amazonaws.com', 'GetTrailStatus', 5, (c) => ({
    name: `arn:aws-us-gov:cloudtrail:${c.region}:${c.accountId}:trail/org-trail`,
  })),
  other('sts.amazonaws.com', 'GetCallerIdentity', 90, () => null),
];

function ecsRead(name: string, weight: number, request: EventKind['request']): EventKind {
  return { name, source: 'ecs.amazonaws.com', readOnly: true, weight, request };
}

function ecsWrite(
  name: string,
  weight: number,
  request: EventKind['request'],
  response: NonNullable<EventKind['response']>,
): EventKind {
  return { name, source: 'ecs.amazonaws.com', readOnly: false, weight, request, response };
}

function other(
  source: EventKind['source'],
  name: string,
  weight: number,
  request: EventKind['request'],
): EventKind {
  return { name, source, readOnly: true, weight, request };
}

/** Picks event kinds by weight. */
export function weightedPicker(kinds: readonly EventKind[]): (random: Random) => EventKind {
  const total = kinds.reduce((sum, kind) => sum + kind.weight, 0);
  return (random) => {
    let left = random.next() * total;
    for (const kind of kinds) {
      left -= kind.weight;
      if (left < 0) return kind;
    }
    return kinds[kinds.length - 1] as EventKind;
  };
}
