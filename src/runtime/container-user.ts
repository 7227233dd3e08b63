import { ContainerStartError } from './driver.js';
import { readFileInRoot } from './image-paths.js';

/** The identity a container's processes run as. */
export interface ContainerUser {
  readonly uid: number;
  readonly gid: number;
  /** Supplementary groups. */
  readonly groups: readonly number[];
  /** The home directory from `/etc/passwd`, `/` when unknown; the driver sets HOME from it. */
  readonly home: string;
}

interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

interface GroupEntry {
  readonly name: string;
  readonly gid: number;
  readonly members: readonly string[];
}

// Linux ids are 32-bit; (uid_t)-1 means "no change" to the kernel, so it is never an id.
const MAX_ID = 4294967294;

/**
 * Resolves a task definition's `user` against the image the way Docker (runc) does, so a task
 * runs as the same ids it would on Fargate: a name must be in `/etc/passwd`; a numeric uid takes
 * its passwd entry's group, or gid 0 without one; an explicit group replaces the primary group,
 * and without one the user's memberships in `/etc/group` become supplementary groups. The home
 * directory is the passwd entry's, `/` without one.
 *
 * A container without a `user` runs as uid 0, gid 0 and no supplementary groups, with the home
 * directory of the image's uid 0.
 *
 * Both files are read with {@link readFileInRoot}: their symlinks resolve inside the image.
 *
 * @throws ContainerStartError with runc's wording (`unable to find user app: no matching entries
 *   in passwd file`) for an unknown name, or for a malformed `spec`.
 */
export async function resolveUser(
  rootfs: string,
  spec: string | undefined,
): Promise<ContainerUser> {
  if (spec === undefined || spec === '') {
    const passwd = parsePasswd(await readFileInRoot(rootfs, '/etc/passwd'));
    const root = passwd.find((entry) => entry.uid === 0);
    return { uid: 0, gid: 0, groups: [], home: homeOf(root) };
  }

  const [userPart = '', groupPart, ...rest] = spec.split(':');
  if (userPart === '' || groupPart === '' || rest.length > 0) {
    throw new ContainerStartError(
      `invalid user '${spec}': expected user, user:group, uid or uid:gid`,
    );
  }

  const [passwdText, groupText] = await Promise.all([
    readFileInRoot(rootfs, '/etc/passwd'),
    readFileInRoot(rootfs, '/etc/group'),
  ]);
  const passwd = parsePasswd(passwdText);
  const groups = parseGroups(groupText);
  const entry = findUser(passwd, userPart);
  const home = homeOf(entry);

  if (groupPart !== undefined) {
    return { uid: entry.uid, gid: findGroup(groups, groupPart), groups: [], home };
  }

  const memberships = groups.filter(
    (group) => entry.name !== '' && group.members.includes(entry.name),
  );
  return { uid: entry.uid, gid: entry.gid, groups: memberships.map((group) => group.gid), home };
}

function homeOf(entry: PasswdEntry | undefined): string {
  return entry?.home || '/';
}

function findUser(passwd: readonly PasswdEntry[], user: string): PasswdEntry {
  const uid = parseId(user);
  if (uid === undefined) {
    const named = passwd.find((entry) => entry.name === user);
    if (!named) {
      throw new ContainerStartError(
        `unable to find user ${user}: no matching entries in passwd file`,
      );
    }
    return named;
  }

  return passwd.find((entry) => entry.uid === uid) ?? { name: '', uid, gid: 0, home: '' };
}

function findGroup(groups: readonly GroupEntry[], group: string): number {
  const gid = parseId(group);
  if (gid !== undefined) return gid;

  const named = groups.find((entry) => entry.name === group);
  if (!named) {
    throw new ContainerStartError(
      `unable to find group ${group}: no matching entries in group file`,
    );
  }
  return named.gid;
}

function parseId(text: string): number | undefined {
  if (!/^\d{1,10}$/.test(text)) return undefined;
  const id = Number(text);
  return id <= MAX_ID ? id : undefined;
}

/** `name:password:uid:gid:gecos:home:shell` lines; malformed ones are skipped, as libc does. */
function parsePasswd(text: string | undefined): PasswdEntry[] {
  const entries: PasswdEntry[] = [];
  for (const fields of colonLines(text)) {
    const [name = '', , uidText = '', gidText = '', , home = ''] = fields;
    const uid = parseId(uidText);
    const gid = parseId(gidText);
    if (name !== '' && uid !== undefined && gid !== undefined) {
      entries.push({ name, uid, gid, home });
    }
  }
  return entries;
}

/** `name:password:gid:member,member` lines. */
function parseGroups(text: string | undefined): GroupEntry[] {
  const entries: GroupEntry[] = [];
  for (const fields of colonLines(text)) {
    const [name = '', , gidText = '', memberText = ''] = fields;
    const gid = parseId(gidText);
    const members = memberText.split(',').filter(Boolean);
    if (name !== '' && gid !== undefined) entries.push({ name, gid, members });
  }
  return entries;
}

function colonLines(text: string | undefined): string[][] {
  if (text === undefined) return [];
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(':'));
}
