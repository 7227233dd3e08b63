import { execFileSync } from 'node:child_process';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { motoVersion } from './peers.js';

/** Where the numbers were taken. */
export interface MachineInfo {
  readonly os: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  /** 1-minute load average when the run started: other work on the machine skews the numbers. */
  readonly loadAverageAtStart: number;
  readonly node: string;
  readonly moto: string;
  /** fedgate's commit, marked `+dirty` when src/ has uncommitted changes. */
  readonly fedgateCommit: string;
}

/** The 1-minute load average now; take it before the run loads the machine itself. */
export function currentLoad(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}

/** Describes this machine and the versions under test. */
export function machineInfo(root: string, loadAverageAtStart: number): MachineInfo {
  const cpuList = cpus();
  return {
    os: `${platform()} ${release()}`,
    cpu: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverageAtStart,
    node: process.version,
    moto: motoVersion(),
    fedgateCommit: gitCommit(root),
  };
}

function gitCommit(root: string): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });
    const commit = git('rev-parse', '--short', 'HEAD').trim();
    return git('status', '--porcelain', '--', 'src').trim() === '' ? commit : `${commit}+dirty`;
  } catch {
    return 'unknown';
  }
}
