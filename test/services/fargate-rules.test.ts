import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkFargateSize,
  checkFipsCompatible,
  compareVersions,
  fargateProblem,
  parseTaskCpu,
  parseTaskMemory,
  resolvePlatformVersion,
} from '../../src/services/ecs/fargate-rules.js';

/** [cpu units, smallest memory, largest memory, step] from AWS's Fargate task size table. */
const STEPPED_SIZES: [number, number, number, number][] = [
  [512, 1024, 4096, 1024],
  [1024, 2048, 8192, 1024],
  [2048, 4096, 16384, 1024],
  [4096, 8192, 30720, 1024],
  [8192, 16384, 61440, 4096],
  [16384, 32768, 122880, 8192],
];

/** The AWS error code `fn` throws, or undefined when it returns. */
function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

const size = (cpu: number, memory: number, options = {}) =>
  codeOf(() => checkFargateSize(cpu, memory, options));

describe('Fargate task sizes', () => {
  it('accepts 256 cpu units with 512, 1024 or 2048 MiB only', () => {
    for (const memory of [512, 1024, 2048]) assert.equal(size(256, memory), undefined, `${memory}`);
    for (const memory of [256, 1536, 3072, 4096]) {
      assert.equal(size(256, memory), 'ClientException', `${memory}`);
    }
  });

  for (const [cpu, min, max, step] of STEPPED_SIZES) {
    it(`accepts ${cpu} cpu units with ${min}–${max} MiB in steps of ${step}`, () => {
      for (let memory = min; memory <= max; memory += step) {
        assert.equal(size(cpu, memory), undefined, `${cpu}/${memory}`);
      }
      for (const memory of [min - step, max + step, min + step / 2]) {
        assert.equal(size(cpu, memory), 'ClientException', `${cpu}/${memory}`);
      }
    });
  }

  it('refuses cpu values outside the table', () => {
    for (const cpu of [128, 384, 3072, 32768]) assert.equal(size(cpu, 8192), 'ClientException');
  });

  it("answers AWS's message for a pair Fargate does not offer", () => {
    assert.throws(() => checkFargateSize(256, 4096), {
      message:
        'No Fargate configuration exists for given values: 256 CPU, 4096 memory. ' +
        'See the Amazon ECS documentation for the valid values.',
    });
  });

  it('needs platform 1.4.0 for 8 and 16 vCPU on a given platform version', () => {
    const old = { platformVersion: '1.3.0' };
    assert.equal(size(8192, 16384, old), 'PlatformTaskDefinitionIncompatibilityException');
    assert.equal(size(16384, 32768, old), 'PlatformTaskDefinitionIncompatibilityException');
    assert.equal(size(4096, 8192, old), undefined);
    assert.equal(size(8192, 16384, { platformVersion: '1.4.0' }), undefined);
  });

  it('gives Windows 1, 2 and 4 vCPU only', () => {
    const windows = { os: 'WINDOWS_SERVER_2022_CORE' };
    assert.equal(size(1024, 2048, windows), undefined);
    assert.equal(size(4096, 30720, windows), undefined);
    for (const [cpu, memory] of [
      [256, 512],
      [512, 1024],
      [8192, 16384],
      [16384, 32768],
    ] as const) {
      assert.equal(size(cpu, memory, windows), 'ClientException', `${cpu}/${memory}`);
    }
  });
});

describe('task cpu and memory forms', () => {
  it('reads cpu as units or vCPUs', () => {
    const read = ['256', '1024', '0.25 vCPU', '.5 vcpu', '1 vCPU', '2vcpu', ' 4 VCPU '].map(
      parseTaskCpu,
    );
    assert.deepEqual(read, [256, 1024, 256, 512, 1024, 2048, 4096]);
    for (const bad of ['', 'lots', '1.5', '0.1 vCPU', '-256', '1 cpu']) {
      assert.equal(parseTaskCpu(bad), undefined, bad);
    }
  });

  it('reads memory as MiB or GB', () => {
    const read = ['512', '0.5GB', '1 GB', '2gb', '30 GB'].map(parseTaskMemory);
    assert.deepEqual(read, [512, 512, 1024, 2048, 30720]);
    for (const bad of ['', '1 TB', '1.5', '0.0001GB', 'GB']) {
      assert.equal(parseTaskMemory(bad), undefined, bad);
    }
  });
});

describe('Fargate platform versions', () => {
  it('resolves LATEST, or nothing, to 1.4.0 on Linux and 1.0.0 on Windows', () => {
    assert.equal(resolvePlatformVersion(undefined), '1.4.0');
    assert.equal(resolvePlatformVersion('LATEST'), '1.4.0');
    assert.equal(resolvePlatformVersion('LATEST', 'LINUX'), '1.4.0');
    assert.equal(resolvePlatformVersion('LATEST', 'WINDOWS_SERVER_2019_CORE'), '1.0.0');
  });

  it('keeps the Linux versions Fargate offers', () => {
    assert.equal(resolvePlatformVersion('1.4.0'), '1.4.0');
    assert.equal(resolvePlatformVersion('1.3.0'), '1.3.0');
    assert.equal(resolvePlatformVersion('1.0.0', 'WINDOWS_SERVER_2022_FULL'), '1.0.0');
  });

  it('returns PlatformUnknownException for a retired or unknown version', () => {
    for (const version of ['1.2.0', '1.0.0', '2.0.0', 'latest', '']) {
      assert.equal(
        codeOf(() => resolvePlatformVersion(version)),
        'PlatformUnknownException',
      );
    }
    const windows14 = () => resolvePlatformVersion('1.4.0', 'WINDOWS_SERVER_2022_CORE');
    assert.equal(codeOf(windows14), 'PlatformUnknownException');
  });

  it('orders dotted versions numerically', () => {
    assert.ok(compareVersions('1.3.0', '1.4.0') < 0);
    assert.ok(compareVersions('1.10.0', '1.4.0') > 0);
    assert.equal(compareVersions('1.4', '1.4.0'), 0);
  });
});

describe('Fargate FIPS-140 compatibility', () => {
  const fips = (platform: Parameters<typeof checkFipsCompatible>[0], version?: string) =>
    codeOf(() => checkFipsCompatible(platform, version));

  it('accepts LINUX on X86_64 on platform 1.4.0, the defaults included', () => {
    assert.equal(
      fips({ operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' }, '1.4.0'),
      undefined,
    );
    assert.equal(fips(undefined, undefined), undefined);
    assert.equal(fips({}, 'LATEST'), undefined);
  });

  it('returns InvalidParameterException for ARM64, Windows or platform 1.3.0', () => {
    assert.equal(fips({ cpuArchitecture: 'ARM64' }, '1.4.0'), 'InvalidParameterException');
    assert.equal(
      fips({ operatingSystemFamily: 'WINDOWS_SERVER_2022_CORE' }),
      'InvalidParameterException',
    );
    assert.equal(fips(undefined, '1.3.0'), 'InvalidParameterException');
  });

  it('says which rule was broken', () => {
    assert.throws(() => checkFipsCompatible({ cpuArchitecture: 'ARM64' }, undefined), {
      message: /fargateFIPSMode.*X86_64.*ARM64/,
    });
    assert.throws(() => checkFipsCompatible(undefined, '1.3.0'), { message: /1\.4\.0.*1\.3\.0/ });
  });

  it('returns PlatformUnknownException for a platform version that does not exist', () => {
    assert.equal(fips(undefined, '9.9.9'), 'PlatformUnknownException');
  });
});

describe('Fargate compatibility of a task definition', () => {
  const valid = { networkMode: 'awsvpc', cpu: 256, memory: 512 } as const;

  it('finds nothing wrong with an awsvpc task of a valid size', () => {
    assert.equal(fargateProblem(valid), undefined);
    assert.equal(fargateProblem({ ...valid, pidMode: 'task' }), undefined);
  });

  it('names the first rule a definition breaks, network mode first', () => {
    assert.match(fargateProblem({ cpu: 1 }) ?? '', /network mode/);
    assert.match(fargateProblem({ ...valid, cpu: undefined }) ?? '', /'cpu'/);
    assert.match(fargateProblem({ ...valid, memory: undefined }) ?? '', /'memory'/);
    assert.match(fargateProblem({ ...valid, memory: 4096 }) ?? '', /No Fargate configuration/);
    assert.match(fargateProblem({ ...valid, ipcMode: 'host' }) ?? '', /ipcMode/);
    assert.match(fargateProblem({ ...valid, pidMode: 'host' }) ?? '', /pidMode/);
  });
});
