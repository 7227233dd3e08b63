import type {
  Attribute,
  Compatibility,
  ContainerDefinition,
  NetworkMode,
  PortMapping,
  RegisterTaskDefinitionRequest,
  TaskDefinition,
} from '../../model/generated/ecs.js';
import { ClientException } from './errors.js';
import { fargateProblem, parseTaskCpu, parseTaskMemory } from './fargate-rules.js';

/**
 * RegisterTaskDefinition's checks, in the order AWS reports them, and the
 * defaults AWS fills into what it answers. Every failure is a ClientException,
 * as AWS answers for each of them; the texts are AWS's where known.
 */

/** Family and container names: 1–255 letters, digits, hyphens and underscores. */
const NAME = /^[A-Za-z0-9_-]+$/;
const NAME_MAX = 255;

// AWS's stated bounds for a task's cpu units on EC2 (0.125 to 192 vCPUs).
const TASK_CPU_MIN = 128;
const TASK_CPU_MAX = 196608;

// Fargate's ephemeral storage: 21 GiB (the default) up to 200 GiB.
const EPHEMERAL_MIN_GIB = 21;
const EPHEMERAL_MAX_GIB = 200;

// AWS's text for a task cpu or memory value it cannot read or does not accept.
const SEE_TROUBLESHOOTING =
  'For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.';
const INVALID_CPU = `Invalid 'cpu' setting for task. ${SEE_TROUBLESHOOTING}`;
const INVALID_MEMORY = `Invalid 'memory' setting for task. ${SEE_TROUBLESHOOTING}`;

/**
 * Checks a RegisterTaskDefinition request and answers the task definition AWS
 * would store: cpu and memory normalised to units and MiB, container defaults
 * filled in, compatibilities and requiresAttributes worked out. The caller adds
 * the ARN, revision, status and registration facts.
 */
export function buildTaskDefinition(input: RegisterTaskDefinitionRequest): TaskDefinition {
  checkFamily(input.family);
  checkContainers(input.containerDefinitions);

  const cpu = input.cpu === undefined ? undefined : taskCpu(input.cpu);
  const memory = input.memory === undefined ? undefined : taskMemory(input.memory);
  const fargate = fargateProblem({ ...input, cpu, memory });
  if (fargate !== undefined && input.requiresCompatibilities?.includes('FARGATE')) {
    throw new ClientException(fargate);
  }

  checkContainerResources(input.containerDefinitions, cpu, memory);
  checkNetworking(input.containerDefinitions, input.networkMode);
  checkEphemeralStorage(input.ephemeralStorage?.sizeInGiB);

  return assemble(input, {
    cpu: cpu === undefined ? undefined : String(cpu),
    memory: memory === undefined ? undefined : String(memory),
    compatibilities: compatibilities(input.requiresCompatibilities, fargate === undefined),
  });
}

function checkFamily(family: string): void {
  if (family === '') throw new ClientException('Family can not be blank.');
  if (!NAME.test(family)) throw new ClientException('Family contains invalid characters.');
  if (family.length > NAME_MAX) {
    throw new ClientException(`Family name must be at most ${NAME_MAX} characters long.`);
  }
}

function checkContainers(containers: ContainerDefinition[]): void {
  if (containers.length === 0) throw new ClientException('Container list cannot be empty.');

  for (const container of containers) checkContainer(container);

  const names = containers.map((container) => container.name);
  if (new Set(names).size !== names.length) {
    throw new ClientException('Container names must be unique within a Task Definition.');
  }
  // An omitted `essential` means true (model documentation of ContainerDefinition).
  if (containers.every((container) => container.essential === false)) {
    throw new ClientException("Task definition doesn't have any essential container.");
  }
}

function checkContainer(container: ContainerDefinition): void {
  const name = container.name ?? '';
  if (name === '') throw new ClientException('Container.name should not be null or empty.');
  if (!NAME.test(name)) throw new ClientException('Container.name contains invalid characters.');
  if (name.length > NAME_MAX) {
    throw new ClientException(`Container.name must be at most ${NAME_MAX} characters long.`);
  }
  if ((container.image ?? '').trim() === '') {
    throw new ClientException('Container.image should not be null or empty.');
  }
}

function taskCpu(text: string): number {
  const cpu = parseTaskCpu(text);
  if (cpu === undefined || cpu < TASK_CPU_MIN || cpu > TASK_CPU_MAX) {
    throw new ClientException(INVALID_CPU);
  }
  return cpu;
}

function taskMemory(text: string): number {
  const memory = parseTaskMemory(text);
  if (memory === undefined || memory <= 0) throw new ClientException(INVALID_MEMORY);
  return memory;
}

/**
 * Container cpu and memory against the task's. AWS documents that reserved
 * memory (memoryReservation, else memory) and cpu of all containers must fit the task.
 */
function checkContainerResources(
  containers: ContainerDefinition[],
  cpu: number | undefined,
  memory: number | undefined,
): void {
  for (const container of containers) checkContainerMemory(container, memory);

  const reserved = sum(containers.map((c) => c.memoryReservation ?? c.memory ?? 0));
  if (memory !== undefined && reserved > memory) {
    throw new ClientException(
      "The sum of all container 'memory' values cannot be greater than the value of the " +
        "task 'memory'.",
    );
  }
  if (cpu !== undefined && sum(containers.map((c) => c.cpu ?? 0)) > cpu) {
    throw new ClientException(
      "The sum of all container 'cpu' values cannot be greater than the value of the task 'cpu'.",
    );
  }
}

function checkContainerMemory(container: ContainerDefinition, memory: number | undefined): void {
  const name = container.name ?? '';
  const unsized = container.memory === undefined && container.memoryReservation === undefined;
  if (memory === undefined && unsized) {
    throw new ClientException(
      `Invalid setting for container '${name}'. ` +
        "At least one of 'memory' or 'memoryReservation' must be specified.",
    );
  }
  if (memory !== undefined && container.memory !== undefined && container.memory > memory) {
    throw new ClientException(
      `The 'memory' setting for container '${name}' is greater than for the task.`,
    );
  }

  const { memory: hard, memoryReservation: soft } = container;
  if (hard !== undefined && soft !== undefined && soft > hard) {
    throw new ClientException(
      `Invalid setting for container '${name}'. ` +
        "'memoryReservation' must be less than or equal to 'memory'.",
    );
  }
}

/** awsvpc gives each task its own interface: ports map one to one and the host name is AWS's. */
function checkNetworking(containers: ContainerDefinition[], mode: NetworkMode | undefined): void {
  if (mode !== 'awsvpc') return;

  for (const container of containers) {
    if (container.hostname !== undefined) {
      throw new ClientException('hostname is not supported on container when networkMode=awsvpc.');
    }
    const mismatch = (container.portMappings ?? []).some(
      (port) => port.hostPort !== undefined && port.hostPort !== port.containerPort,
    );
    if (mismatch) {
      throw new ClientException(
        'When networkMode=awsvpc, the host ports and container ports in port mappings must match.',
      );
    }
  }
}

function checkEphemeralStorage(sizeInGiB: number | undefined): void {
  if (sizeInGiB === undefined) return;
  if (sizeInGiB < EPHEMERAL_MIN_GIB || sizeInGiB > EPHEMERAL_MAX_GIB) {
    throw new ClientException(
      `The ephemeral storage size must be between ${EPHEMERAL_MIN_GIB} and ` +
        `${EPHEMERAL_MAX_GIB} GiB.`,
    );
  }
}

/**
 * The launch types a definition is valid for: EC2 always (any definition can be
 * placed on instances), EXTERNAL and MANAGED_INSTANCES when asked for, and
 * FARGATE whenever the definition passes Fargate's rules, asked for or not.
 */
function compatibilities(
  required: Compatibility[] | undefined,
  fargateValid: boolean,
): Compatibility[] {
  const result: Compatibility[] = ['EC2'];
  if (required?.includes('EXTERNAL')) result.push('EXTERNAL');
  if (required?.includes('MANAGED_INSTANCES')) result.push('MANAGED_INSTANCES');
  if (fargateValid) result.push('FARGATE');
  return result;
}

function assemble(
  input: RegisterTaskDefinitionRequest,
  derived: Pick<TaskDefinition, 'cpu' | 'memory' | 'compatibilities'>,
): TaskDefinition {
  const { tags, containerDefinitions, ...task } = input;
  return {
    ...task,
    ...derived,
    containerDefinitions: containerDefinitions.map((c) => withDefaults(c, input.networkMode)),
    volumes: input.volumes ?? [],
    placementConstraints: input.placementConstraints ?? [],
    requiresAttributes: requiresAttributes(input),
  };
}

/** What AWS echoes for members a container left out (RegisterTaskDefinition examples). */
function withDefaults(container: ContainerDefinition, mode: NetworkMode | undefined) {
  return {
    ...container,
    cpu: container.cpu ?? 0,
    portMappings: (container.portMappings ?? []).map((port) => portMapping(port, mode)),
    essential: container.essential ?? true,
    environment: container.environment ?? [],
    mountPoints: container.mountPoints ?? [],
    volumesFrom: container.volumesFrom ?? [],
    systemControls: container.systemControls ?? [],
  };
}

/** Protocol tcp by default; with awsvpc or host networking the host port is the container port. */
function portMapping(port: PortMapping, mode: NetworkMode | undefined): PortMapping {
  const direct = mode === 'awsvpc' || mode === 'host';
  const hostPort = port.hostPort ?? (direct ? port.containerPort : undefined);
  return {
    ...port,
    protocol: port.protocol ?? 'tcp',
    ...(hostPort === undefined ? {} : { hostPort }),
  };
}

/**
 * The container-agent capabilities a definition needs, as AWS lists them for
 * placement on instances. A subset: the capabilities of the features fedgate
 * runs (awsvpc, task roles, awslogs, private registries, ECR pulls).
 */
function requiresAttributes(input: RegisterTaskDefinitionRequest): Attribute[] {
  const names = new Set<string>();
  const containers = input.containerDefinitions;

  if (input.networkMode === 'awsvpc') {
    names.add('com.amazonaws.ecs.capability.docker-remote-api.1.18');
    names.add('ecs.capability.task-eni');
  }
  if (input.taskRoleArn) names.add('com.amazonaws.ecs.capability.task-iam-role');
  if (containers.some((c) => c.logConfiguration?.logDriver === 'awslogs')) {
    names.add('com.amazonaws.ecs.capability.logging-driver.awslogs');
    names.add('com.amazonaws.ecs.capability.docker-remote-api.1.19');
    if (input.executionRoleArn) names.add('ecs.capability.execution-role-awslogs');
  }
  if (input.executionRoleArn && containers.some((c) => /\.dkr\.ecr\./.test(c.image ?? ''))) {
    names.add('ecs.capability.execution-role-ecr-pull');
  }
  if (containers.some((c) => c.repositoryCredentials !== undefined)) {
    names.add('com.amazonaws.ecs.capability.private-registry-authentication.secretsmanager');
  }
  return [...names].map((name) => ({ name }));
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
