import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** What `/proc/<pid>/stat` says about a process. */
export interface ProcessStat {
  readonly comm: string;
  /** `R`, `S`, `D`, `Z` (zombie: dead, not yet reaped)… */
  readonly state: string;
  readonly ppid: number;
}

/** The process's stat line, or undefined when it does not exist. */
export function readStat(pid: number): ProcessStat | undefined {
  const text = readProc(`${pid}/stat`);
  if (text === undefined) return undefined;

  // comm is in parentheses and may itself hold spaces and parentheses: split at the last one.
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  const [state = '', ppid = ''] = text.slice(close + 2).split(' ');
  return { comm, state, ppid: Number(ppid) };
}

/** Whether `pid` exists and has not died. */
export function isLive(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

/** The direct children of `pid` (single-threaded processes, like bwrap's init). */
export function childPids(pid: number): number[] {
  const listed = readProc(`${pid}/task/${pid}/children`);
  if (listed !== undefined) return listed.split(' ').filter(Boolean).map(Number);

  // Kernels without CONFIG_PROC_CHILDREN: find them by their parent instead.
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((candidate) => readStat(candidate)?.ppid === pid);
}

/** The pid `pid` has in its own (innermost) pid namespace. */
export function namespacePid(pid: number): number | undefined {
  const line = statusField(pid, 'NSpid');
  const innermost = line?.split(/\s+/).filter(Boolean).pop();
  return innermost === undefined ? undefined : Number(innermost);
}

/** The real uid and gid of `pid`, as this process's user namespace sees them. */
export function processCredentials(pid: number): { uid: number; gid: number } | undefined {
  const uid = statusField(pid, 'Uid')?.split(/\s+/)[0];
  const gid = statusField(pid, 'Gid')?.split(/\s+/)[0];
  if (uid === undefined || gid === undefined) return undefined;
  return { uid: Number(uid), gid: Number(gid) };
}

/** The identity of a namespace of `pid` (`user:[4026531837]`), or undefined. */
export function namespaceOf(pid: number | 'self', kind: 'user' | 'pid'): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/${kind}`);
  } catch {
    return undefined;
  }
}

function statusField(pid: number, field: string): string | undefined {
  const status = readProc(`${pid}/status`);
  const line = status?.split('\n').find((candidate) => candidate.startsWith(`${field}:`));
  return line?.slice(field.length + 1).trim();
}

function readProc(path: string): string | undefined {
  try {
    return readFileSync(`/proc/${path}`, 'utf8');
  } catch {
    return undefined;
  }
}
