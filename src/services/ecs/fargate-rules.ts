import type { NetworkMode, OSFamily, RuntimePlatform } from '../../model/generated/ecs.js';
import {
  ClientException,
  InvalidParameterException,
  PlatformTaskDefinitionIncompatibilityException,
  PlatformUnknownException,
} from './errors.js';

/**
 * What AWS Fargate accepts: task sizes, network mode, operating systems and
 * platform versions. RegisterTaskDefinition uses these rules to decide whether a
 * definition is Fargate-compatible; RunTask reuses `checkFargateSize`,
 * `resolvePlatformVersion` and `checkFipsCompatible`.
 */

/** The Linux platform version `LATEST` stands for. */
export const LATEST_LINUX_PLATFORM_VERSION = '1.4.0';

/** The Windows platform version `LATEST` stands for. */
export const LATEST_WINDOWS_PLATFORM_VERSION = '1.0.0';

// 1.0.0–1.2.0 of Linux are retired, so AWS no longer accepts them (fact sheet).
const LINUX_PLATFORM_VERSIONS = ['1.4.0', '1.3.0'];
const WINDOWS_PLATFORM_VERSIONS = ['1.0.0'];

/** One task cpu value and the memory values (MiB) Fargate pairs with it. */
interface FargateSize {
  readonly cpu: number;
  readonly memory: readonly number[];
  /** Linux only, and only on platform 1.4.0 or later. */
  readonly needsLinux140: boolean;
}

/** Memory values from `min` to `max` in steps of `step`, both ends included. */
function steps(min: number, max: number, step: number): number[] {
  const values: number[] = [];
  for (let value = min; value <= max; value += step) values.push(value);
  return values;
}

/** The task size table of the Fargate documentation (and of the model's `memory` doc). */
const FARGATE_SIZES: readonly FargateSize[] = [
  { cpu: 256, memory: [512, 1024, 2048], needsLinux140: false },
  { cpu: 512, memory: steps(1024, 4096, 1024), needsLinux140: false },
  { cpu: 1024, memory: steps(2048, 8192, 1024), needsLinux140: false },
  { cpu: 2048, memory: steps(4096, 16384, 1024), needsLinux140: false },
  { cpu: 4096, memory: steps(8192, 30720, 1024), needsLinux140: false },
  { cpu: 8192, memory: steps(16384, 61440, 4096), needsLinux140: true },
  { cpu: 16384, memory: steps(32768, 122880, 8192), needsLinux140: true },
];

/** Windows containers on Fargate need at least 1 vCPU (model doc of `memory`). */
const WINDOWS_MIN_CPU = 1024;

/** True for the WINDOWS_SERVER_* operating system families. */
export function isWindows(os: OSFamily | undefined): boolean {
  return os !== undefined && os !== 'LINUX';
}

/**
 * A task cpu value in CPU units: AWS accepts units ("256") or vCPUs ("0.25 vCPU",
 * "1 vcpu") and stores units. Undefined when the text is neither or not whole units.
 */
export function parseTaskCpu(value: string): number | undefined {
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);

  const vcpus = /^(\d+(?:\.\d+)?|\.\d+)\s*vcpu$/i.exec(text);
  return vcpus?.[1] === undefined ? undefined : wholeOrUndefined(Number(vcpus[1]) * 1024);
}

/**
 * A task memory value in MiB: AWS accepts MiB ("512") or GB ("0.5GB", "1 GB")
 * and stores MiB. Undefined when the text is neither or not whole MiB.
 */
export function parseTaskMemory(value: string): number | undefined {
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);

  const gigabytes = /^(\d+(?:\.\d+)?|\.\d+)\s*gb$/i.exec(text);
  return gigabytes?.[1] === undefined ? undefined : wholeOrUndefined(Number(gigabytes[1]) * 1024);
}

function wholeOrUndefined(value: number): number | undefined {
  return Number.isInteger(value) ? value : undefined;
}

/** The Fargate memory values (MiB) for a task cpu value on `os`; empty when cpu is not one. */
export function fargateMemoryOptions(cpu: number, os: OSFamily = 'LINUX'): readonly number[] {
  const size = FARGATE_SIZES.find((row) => row.cpu === cpu);
  if (size === undefined) return [];
  if (isWindows(os) && (cpu < WINDOWS_MIN_CPU || size.needsLinux140)) return [];
  return size.memory;
}

/**
 * Throws when Fargate has no task size `cpu` units × `memory` MiB on `os`, with
 * AWS's ClientException text. With a platform version (RunTask), a size that
 * needs Linux platform 1.4.0 on an older version is a
 * PlatformTaskDefinitionIncompatibilityException.
 */
export function checkFargateSize(
  cpu: number,
  memory: number,
  options: { os?: OSFamily; platformVersion?: string } = {},
): void {
  if (!fargateMemoryOptions(cpu, options.os).includes(memory)) {
    throw new ClientException(noFargateConfiguration(cpu, memory));
  }

  const needs140 = FARGATE_SIZES.find((row) => row.cpu === cpu)?.needsLinux140 ?? false;
  const version = options.platformVersion;
  if (needs140 && version !== undefined && compareVersions(version, '1.4.0') < 0) {
    throw new PlatformTaskDefinitionIncompatibilityException(
      "The specified platform version does not satisfy the task definition's required " +
        `capabilities: ${cpu} CPU needs platform version 1.4.0 or later.`,
    );
  }
}

/** AWS's words for a cpu/memory pair Fargate does not offer. */
export function noFargateConfiguration(cpu: number, memory: number): string {
  return (
    `No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory. ` +
    'See the Amazon ECS documentation for the valid values.'
  );
}

/**
 * The platform version a task runs on: `LATEST` (or none) is 1.4.0 on Linux and
 * 1.0.0 on Windows; a version Fargate does not offer is PlatformUnknownException.
 */
export function resolvePlatformVersion(
  requested: string | undefined,
  os: OSFamily = 'LINUX',
): string {
  const windows = isWindows(os);
  if (requested === undefined || requested === 'LATEST') {
    return windows ? LATEST_WINDOWS_PLATFORM_VERSION : LATEST_LINUX_PLATFORM_VERSION;
  }

  const known = windows ? WINDOWS_PLATFORM_VERSIONS : LINUX_PLATFORM_VERSIONS;
  if (!known.includes(requested)) {
    throw new PlatformUnknownException('The specified platform version does not exist.');
  }
  return requested;
}

/** Orders dotted version numbers: negative when `a` comes before `b`. */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/**
 * With fargateFIPSMode enabled a task must run LINUX on X86_64 on platform
 * 1.4.0 or later (AWS's FIPS-140 documentation). AWS documents no error for a
 * task that breaks this; fedgate refuses it with InvalidParameterException
 * naming the rule. `platformVersion` may be `LATEST` or absent.
 */
export function checkFipsCompatible(
  runtimePlatform: RuntimePlatform | undefined,
  platformVersion: string | undefined,
): void {
  const os = runtimePlatform?.operatingSystemFamily ?? 'LINUX';
  const arch = runtimePlatform?.cpuArchitecture ?? 'X86_64';
  const rule = 'Fargate FIPS-140 mode (fargateFIPSMode) is enabled for this account';

  if (os !== 'LINUX') {
    throw new InvalidParameterException(
      `${rule}: tasks must use the LINUX operating system family, not ${os}.`,
    );
  }
  if (arch !== 'X86_64') {
    throw new InvalidParameterException(
      `${rule}: tasks must use the X86_64 CPU architecture, not ${arch}.`,
    );
  }

  const version = resolvePlatformVersion(platformVersion, os);
  if (compareVersions(version, '1.4.0') < 0) {
    throw new InvalidParameterException(
      `${rule}: tasks must use platform version 1.4.0 or later, not ${version}.`,
    );
  }
}

/** The task-level facts Fargate compatibility depends on (cpu and memory already parsed). */
export interface FargateCandidate {
  readonly networkMode?: NetworkMode;
  readonly cpu?: number;
  readonly memory?: number;
  readonly runtimePlatform?: RuntimePlatform;
  readonly ipcMode?: string;
  readonly pidMode?: string;
}

/**
 * Why a task definition cannot run on Fargate, in the order AWS reports it, or
 * undefined when it can. The texts are AWS's where known (network mode, task
 * cpu/memory, cpu/memory pair, ipcMode); the others are fedgate's.
 */
export function fargateProblem(task: FargateCandidate): string | undefined {
  if (task.networkMode !== 'awsvpc') return 'Fargate only supports network mode ‘awsvpc’.';
  if (task.cpu === undefined) return "Fargate requires that 'cpu' be defined at the task level.";
  if (task.memory === undefined) {
    return "Fargate requires that 'memory' be defined at the task level.";
  }
  return platformProblem(task.runtimePlatform) ?? sizeOrModeProblem(task);
}

function platformProblem(runtimePlatform: RuntimePlatform | undefined): string | undefined {
  const os = runtimePlatform?.operatingSystemFamily;
  if (isWindows(os) && runtimePlatform?.cpuArchitecture === 'ARM64') {
    return `Fargate runs ${os ?? ''} tasks on the X86_64 CPU architecture only, not ARM64.`;
  }
  return undefined;
}

function sizeOrModeProblem(task: FargateCandidate): string | undefined {
  const cpu = task.cpu ?? 0;
  const memory = task.memory ?? 0;
  if (!fargateMemoryOptions(cpu, task.runtimePlatform?.operatingSystemFamily).includes(memory)) {
    return noFargateConfiguration(cpu, memory);
  }
  if (task.ipcMode !== undefined)
    return 'Tasks using the Fargate launch type do not support ipcMode.';
  if (task.pidMode === 'host') {
    return "Tasks using the Fargate launch type do not support pidMode 'host'.";
  }
  return undefined;
}
