import { ECSClient, PutAccountSettingDefaultCommand } from '@aws-sdk/client-ecs';
import { ecsClient } from './clients.js';
import { startTestServer, type TestServer } from './fedgate.js';
import { pushBusyboxImage, startRegistry, type TestRegistry } from './registry.js';

/** The region where the fixture turns Fargate FIPS-140 mode on. */
export const FIPS_REGION = 'us-gov-west-1';

/** A GovCloud region where FIPS-140 mode stays off. */
export const PLAIN_REGION = 'us-gov-east-1';

/** A fedgate and a registry with a busybox image, for tests that run real tasks. */
export interface TaskFixture {
  readonly server: TestServer;
  readonly registry: TestRegistry;
  /** The pushed busybox image's reference. */
  readonly image: string;
  /** Root's ECS client in FIPS_REGION, where fargateFIPSMode is enabled. */
  readonly fips: ECSClient;
  /** Root's ECS client in PLAIN_REGION, where it is not. */
  readonly plain: ECSClient;
}

/** Starts the registry and fedgate, pushes busybox and turns FIPS-140 mode on in FIPS_REGION. */
export async function startTaskFixture(): Promise<TaskFixture> {
  const registry = await startRegistry();
  await pushBusyboxImage(registry, 'tools/busybox', 'latest');
  const server = await startTestServer();

  const client = (region: string) =>
    ecsClient({ endpoint: server.url, credentials: server.root, region });
  const fips = client(FIPS_REGION);
  await fips.send(
    new PutAccountSettingDefaultCommand({ name: 'fargateFIPSMode', value: 'enabled' }),
  );
  const image = `${registry.host}/tools/busybox:latest`;
  return { server, registry, image, fips, plain: client(PLAIN_REGION) };
}

/** Stops what startTaskFixture started. */
export async function stopTaskFixture(fixture: TaskFixture): Promise<void> {
  await fixture.server.stop();
  await fixture.registry.stop();
}
