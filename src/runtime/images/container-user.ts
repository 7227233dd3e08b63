import { lstat, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';

/** The ids a container process runs with. */
export interface ResolvedUser {
  readonly uid: number;
  readonly gid: number;
  /** Supplementary groups: those `/etc/group` lists the user in. */
  readonly additionalGids: readonly number[];
  /** The home directory from `/etc/passwd`, `/` when unknown; the driver sets HOME from it. */
  readonly home: string;
}

/** A line of `/etc/passwd`. */
interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

/** A line of `/etc/group`. */
interface GroupEntry {
  readonly name: string;
  readonly gid: number;
  readonly members: readonly string[];
}

/** Linux's limit on symbolic links followed while resolving one path. */
const MAX_SYMLINKS = 40;

/**
 * Resolves a container's `user` (`''`, `name`, `uid`, `name:group`, `uid:gid`, …) against the
 * image's `/etc/passwd` and `/etc/group`, as runc does: a numeric uid needs no passwd entry,
 * a name does. Those files are read through {@link readFileInRoot}, so an image cannot make
 * the host read its own `/etc/passwd`.
 *
 * @throws Error with runc's wording (`unable to find user app: no matching entries in passwd
 *   file`) when a name is unknown.
 */
export async function resolveUser(rootfs: string, spec: string): Promise<ResolvedUser> {
  const [userPart = '', groupPart] = spec.split(':', 2);
  const passwd = parsePasswd((await readFileInRoot(rootfs, '/etc/passwd')) ?? '');
  const groups = parseGroups((await readFileInRoot(rootfs, '/etc/group')) ?? '');

  const user = findUser(passwd, userPart === '' ? '0' : userPart);
  const uid = user?.uid ?? Number(userPart || 0);
  const gid =
    groupPart === undefined || groupPart === '' ? (user?.gid ?? 0) : findGroup(groups, groupPart);
  const additionalGids = user
    ? groups.filter((g) => g.members.includes(user.name) && g.gid !== gid).map((g) => g.gid)
    : [];
  return { uid, gid, additionalGids, home: user?.home || '/' };
}

/**
 * Reads `path` as the container would see it: symbolic links are resolved inside `root`
 * (an absolute target starts again at `root`, `..` stops at it), never against the host.
 * Answers undefined when the file does not exist or is not a regular file.
 */
export async function readFileInRoot(root: string, path: string): Promise<string | undefined> {
  const resolved = await resolveInRoot(root, path);
  if (resolved === undefined) return undefined;

  const stats = await lstat(resolved);
  return stats.isFile() ? readFile(resolved, 'utf8') : undefined;
}

async function resolveInRoot(root: string, path: string): Promise<string | undefined> {
  let pending = path.split('/').filter(Boolean);
  const current: string[] = [];
  let links = 0;

  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '.') continue;
    if (part === '..') {
      current.pop();
      continue;
    }

    const candidate = join(root, ...current, part);
    const stats = await lstat(candidate).catch(() => undefined);
    if (!stats) return undefined;
    if (!stats.isSymbolicLink()) {
      current.push(part);
      continue;
    }

    if (++links > MAX_SYMLINKS) return undefined;
    const target = await readlink(candidate);
    if (target.startsWith('/')) current.length = 0;
    pending = [...target.split('/').filter(Boolean), ...pending];
  }
  return join(root, ...current);
}

function findUser(passwd: readonly PasswdEntry[], spec: string): PasswdEntry | undefined {
  if (/^\d+$/.test(spec)) return passwd.find((entry) => entry.uid === Number(spec));

  const found = passwd.find((entry) => entry.name === spec);
  if (!found) throw new Error(`unable to find user ${spec}: no matching entries in passwd file`);
  return found;
}

function findGroup(groups: readonly GroupEntry[], spec: string): number {
  if (/^\d+$/.test(spec)) return Number(spec);

  const found = groups.find((entry) => entry.name === spec);
  if (!found) throw new Error(`unable to find group ${spec}: no matching entries in group file`);
  return found.gid;
}

function parsePasswd(text: string): PasswdEntry[] {
  return lines(text).flatMap((fields) => {
    const [name = '', , uid = '', gid = '', , home = ''] = fields;
    if (!/^\d+$/.test(uid) || !/^\d+$/.test(gid)) return [];
    return [{ name, uid: Number(uid), gid: Number(gid), home }];
  });
}

function parseGroups(text: string): GroupEntry[] {
  return lines(text).flatMap((fields) => {
    const [name = '', , gid = '', members = ''] = fields;
    if (!/^\d+$/.test(gid)) return [];
    return [{ name, gid: Number(gid), members: members.split(',').filter(Boolean) }];
  });
}

/** The colon-separated fields of each line that is neither blank nor a comment. */
function lines(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => line.split(':'));
}
