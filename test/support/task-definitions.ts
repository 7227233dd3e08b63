import { randomBytes } from 'node:crypto';
import type { ContainerDefinition, RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';

/** A family name no other test uses: `<prefix>-<8 hex digits>`. */
export function uniqueFamily(prefix = 'td'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** One busybox container that sleeps; overrides replace or add members. */
export function busyboxContainer(
  overrides: Partial<ContainerDefinition> = {},
): ContainerDefinition {
  return { name: 'app', image: 'busybox', command: ['sleep', '360'], ...overrides };
}

/**
 * The smallest Fargate task definition: one busybox container, awsvpc, 256 cpu
 * units and 512 MiB, with a fresh family. Overrides replace or add members.
 */
export function fargateTaskDefinition(
  overrides: Partial<RegisterTaskDefinitionCommandInput> = {},
): RegisterTaskDefinitionCommandInput {
  return {
    family: uniqueFamily(),
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: '256',
    memory: '512',
    containerDefinitions: [busyboxContainer()],
    ...overrides,
  };
}
