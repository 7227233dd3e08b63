import { principalKey } from '../../auth/principal.js';
import type {
  Attachment,
  Container,
  RunTaskRequest,
  Task,
  TaskDefinition,
  TaskOverride,
} from '../../model/generated/ecs.js';
import type { OperationContext } from '../service.js';
import { readSettings } from './account-settings-store.js';
import { ecsArn, taskArn } from './arns.js';
import type { ClusterRecord } from './clusters-store.js';
import { ClientException, InvalidParameterException } from './errors.js';
import {
  checkFargateSize,
  checkFipsCompatible,
  parseTaskCpu,
  parseTaskMemory,
  resolvePlatformVersion,
} from './fargate-rules.js';
import { SETTING_RULES } from './setting-rules.js';

/** AWS's text when an awsvpc task comes without a network configuration. */
export const NETWORK_CONFIGURATION_REQUIRED =
  "Network Configuration must be provided when networkMode 'awsvpc' is specified.";

/** The capacity providers fedgate runs (it runs only Fargate). */
const FARGATE_PROVIDERS = new Set(['FARGATE', 'FARGATE_SPOT']);

/** How one RunTask launches: checked once, then shared by each of its `count` tasks. */
export interface LaunchPlan {
  readonly launchType: 'FARGATE';
  readonly capacityProviderName?: string;
  readonly platformVersion: string;
  readonly cpu: string;
  readonly memory: string;
  readonly fips: boolean;
  readonly longArn: boolean;
}

/**
 * Checks a RunTask against the task definition, in the order AWS reports problems, and
 * answers how its tasks launch. With fargateFIPSMode enabled the task must be FIPS-capable
 * (LINUX, X86_64, platform 1.4.0 or later); that check fails closed.
 */
export async function planLaunch(
  ctx: OperationContext,
  cluster: ClusterRecord,
  definition: TaskDefinition,
  input: RunTaskRequest,
): Promise<LaunchPlan> {
  const provider = launchProvider(cluster, input);
  if (!(definition.compatibilities ?? []).includes('FARGATE')) {
    throw new InvalidParameterException('Task definition does not support launch_type FARGATE.');
  }
  checkNetwork(definition, input);
  checkContainerOverrides(definition, input.overrides);

  const os = definition.runtimePlatform?.operatingSystemFamily ?? 'LINUX';
  const platformVersion = resolvePlatformVersion(input.platformVersion, os);
  const { cpu, memory } = taskSize(definition, input.overrides, platformVersion);

  const settings = await effectiveSettings(ctx);
  const fips = settings('fargateFIPSMode') === 'enabled';
  if (fips) checkFipsCompatible(definition.runtimePlatform, platformVersion);

  return {
    launchType: 'FARGATE',
    ...(provider === undefined ? {} : { capacityProviderName: provider }),
    platformVersion,
    cpu,
    memory,
    fips,
    longArn: settings('taskLongArnFormat') !== 'disabled',
  };
}

/**
 * The capacity provider a task runs on, or undefined for launchType FARGATE. Without either,
 * the cluster's default strategy applies, else FARGATE: fedgate runs only Fargate.
 */
function launchProvider(cluster: ClusterRecord, input: RunTaskRequest): string | undefined {
  const strategy = input.capacityProviderStrategy ?? [];
  if (input.launchType !== undefined && strategy.length > 0) {
    throw new InvalidParameterException(
      'Specifying both a launch type and capacity provider strategy is not supported. ' +
        'Remove one and try again.',
    );
  }
  if (input.launchType !== undefined && input.launchType !== 'FARGATE') {
    throw new InvalidParameterException(
      `fedgate runs tasks on Fargate only; launch type ${input.launchType} is not supported.`,
    );
  }

  const chosen = strategy.length > 0 ? strategy : cluster.defaultCapacityProviderStrategy;
  if (input.launchType !== undefined || chosen.length === 0) return undefined;

  const provider = chosen.find((item) => (item.weight ?? 0) > 0) ?? chosen[0];
  const name = provider?.capacityProvider ?? 'FARGATE';
  if (!FARGATE_PROVIDERS.has(name)) {
    throw new InvalidParameterException(
      `The specified capacity provider ${name} is not associated with the cluster.`,
    );
  }
  return name;
}

function checkNetwork(definition: TaskDefinition, input: RunTaskRequest): void {
  if (definition.networkMode !== 'awsvpc') return;

  const subnets = input.networkConfiguration?.awsvpcConfiguration?.subnets;
  if (subnets === undefined) throw new InvalidParameterException(NETWORK_CONFIGURATION_REQUIRED);
  if (subnets.length === 0) {
    throw new InvalidParameterException('subnets can not be empty.');
  }
}

function checkContainerOverrides(definition: TaskDefinition, overrides?: TaskOverride): void {
  const names = new Set((definition.containerDefinitions ?? []).map((c) => c.name));
  for (const override of overrides?.containerOverrides ?? []) {
    if (!names.has(override.name)) {
      throw new InvalidParameterException(
        `Override for container named ${override.name ?? ''} is not a container in the ` +
          'TaskDefinition.',
      );
    }
  }
}

/** The task's cpu and memory: the overrides' or the definition's, a size Fargate offers. */
function taskSize(definition: TaskDefinition, overrides: TaskOverride | undefined, pv: string) {
  const cpu = overrides?.cpu ?? definition.cpu ?? '';
  const memory = overrides?.memory ?? definition.memory ?? '';
  const cpuUnits = parseTaskCpu(cpu);
  const memoryMiB = parseTaskMemory(memory);
  if (cpuUnits === undefined || memoryMiB === undefined) {
    throw new ClientException(`Invalid task size: cpu '${cpu}', memory '${memory}'.`);
  }

  checkFargateSize(cpuUnits, memoryMiB, {
    os: definition.runtimePlatform?.operatingSystemFamily,
    platformVersion: pv,
  });
  return { cpu: String(cpuUnits), memory: String(memoryMiB) };
}

/** An account setting in force for the caller: its own, else root's, else AWS's default. */
async function effectiveSettings(ctx: OperationContext) {
  const scope = { accountId: ctx.principal.accountId, region: ctx.region.name };
  const own = await readSettings(ctx.db, { ...scope, principal: principalKey(ctx.principal) });
  const root = await readSettings(ctx.db, { ...scope, principal: 'root' });
  return (name: keyof typeof SETTING_RULES): string =>
    own.get(name) ?? root.get(name) ?? SETTING_RULES[name].defaultValue;
}

/** A new task id: 32 hex digits, as AWS's. */
export function newTaskId(ctx: OperationContext): string {
  return ctx.ids.uuid().replace(/-/g, '');
}

/** The ARN of a new task, long (`task/<cluster>/<id>`) unless the caller turned it off. */
export function newTaskArn(
  ctx: OperationContext,
  plan: LaunchPlan,
  cluster: ClusterRecord,
  id: string,
) {
  return plan.longArn ? taskArn(ctx, cluster.name, id) : ecsArn(ctx, 'task', id);
}

/** What ECS answers for a task just launched: PROVISIONING, with its ENI being made. */
export function newTaskView(
  ctx: OperationContext,
  launch: { plan: LaunchPlan; cluster: ClusterRecord; definition: TaskDefinition },
  id: string,
  arn: string,
  input: RunTaskRequest,
): Task {
  const { plan, cluster, definition } = launch;
  const attachment = eniAttachment(ctx, input);
  const ip = attachment.details?.find((d) => d.name === 'privateIPv4Address')?.value;
  const containers = (definition.containerDefinitions ?? []).map((container): Container => ({
    containerArn: ecsArn(ctx, 'container', `${cluster.name}/${id}/${ctx.ids.uuid()}`),
    taskArn: arn,
    name: container.name,
    image: container.image,
    lastStatus: 'PENDING',
    networkInterfaces: [{ attachmentId: attachment.id, privateIpv4Address: ip }],
    cpu: String(container.cpu ?? 0),
    ...(container.memory === undefined ? {} : { memory: String(container.memory) }),
  }));

  return {
    attachments: [attachment],
    attributes: [{ name: 'ecs.cpu-architecture', value: 'x86_64' }],
    availabilityZone: `${ctx.region.name}a`,
    ...(plan.capacityProviderName ? { capacityProviderName: plan.capacityProviderName } : {}),
    clusterArn: cluster.arn,
    containers,
    cpu: plan.cpu,
    memory: plan.memory,
    createdAt: ctx.clock.now(),
    desiredStatus: 'RUNNING',
    enableExecuteCommand: input.enableExecuteCommand ?? false,
    group: input.group ?? `family:${definition.family ?? ''}`,
    lastStatus: 'PROVISIONING',
    launchType: plan.launchType,
    overrides: { containerOverrides: [], inferenceAcceleratorOverrides: [], ...input.overrides },
    platformVersion: plan.platformVersion,
    platformFamily: 'Linux',
    ...(input.startedBy === undefined ? {} : { startedBy: input.startedBy }),
    taskArn: arn,
    taskDefinitionArn: definition.taskDefinitionArn,
    version: 1,
    ephemeralStorage: { sizeInGiB: definition.ephemeralStorage?.sizeInGiB ?? 20 },
  };
}

/**
 * The task's elastic network interface as AWS describes it. fedgate makes no ENI (containers
 * share the host's network); the ids and addresses are plausible, drawn from the call's ids.
 */
function eniAttachment(ctx: OperationContext, input: RunTaskRequest): Attachment {
  const hex = ctx.ids.uuid().replace(/-/g, '');
  const byte = (i: number) => parseInt(hex.slice(i, i + 2), 16);
  const ip = `10.0.${byte(0)}.${Math.max(byte(2), 4)}`;
  const subnet = input.networkConfiguration?.awsvpcConfiguration?.subnets[0] ?? '';
  return {
    id: ctx.ids.uuid(),
    type: 'ElasticNetworkInterface',
    status: 'PRECREATED',
    details: [
      { name: 'subnetId', value: subnet },
      { name: 'networkInterfaceId', value: `eni-${hex.slice(4, 21)}` },
      { name: 'macAddress', value: `0a:${hex.slice(6, 16).replace(/(..)(?!$)/g, '$1:')}` },
      { name: 'privateDnsName', value: `ip-${ip.replace(/\./g, '-')}.ec2.internal` },
      { name: 'privateIPv4Address', value: ip },
    ],
  };
}
