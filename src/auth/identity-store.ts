import type { Db } from '../store/db.js';
import type { Clock } from '../util/clock.js';
import {
  newAccessKeyId,
  newAccountId,
  newSecretAccessKey,
  newUniqueId,
  type IdSource,
} from '../util/ids.js';
import type { Principal } from './principal.js';
import type { SecretBox } from './secret-box.js';

/** A long-term access key as handed to its owner once, at creation. */
export interface IssuedKey {
  readonly accountId: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** What the identity functions need besides the database. */
export interface IdentityDeps {
  readonly box: SecretBox;
  readonly clock: Clock;
  readonly ids: IdSource;
}

/** Fixed root credentials for scripts (`FEDGATE_ACCOUNT_ID`, `FEDGATE_ROOT_*`). */
export interface FixedRoot {
  readonly accountId?: string;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
}

/** The oldest account, which CLI commands use unless told otherwise. */
export async function defaultAccountId(db: Db): Promise<string | undefined> {
  const row = await db
    .selectFrom('accounts')
    .select('account_id')
    .orderBy('created_at')
    .orderBy('account_id')
    .executeTakeFirst();
  return row?.account_id;
}

/** Creates an account with its root access key. */
export async function createAccount(
  db: Db,
  deps: IdentityDeps,
  fixed: FixedRoot = {},
): Promise<IssuedKey> {
  const accountId = fixed.accountId ?? newAccountId(deps.ids);
  if (!/^\d{12}$/.test(accountId))
    throw new Error(`account id must be 12 digits, got '${accountId}'`);

  await db
    .insertInto('accounts')
    .values({ account_id: accountId, created_at: deps.clock.now().getTime() })
    .execute();
  return insertKey(db, deps, accountId, null, fixed);
}

/** Creates an IAM user in `accountId` with one access key. */
export async function createUser(db: Db, deps: IdentityDeps, accountId: string, userName: string) {
  const userId = newUniqueId(deps.ids, 'AIDA');
  await db
    .insertInto('users')
    .values({
      account_id: accountId,
      user_name: userName,
      user_id: userId,
      created_at: deps.clock.now().getTime(),
    })
    .execute();

  const key = await insertKey(db, deps, accountId, userName, {});
  return { userId, ...key };
}

/** Whether `userName` exists in `accountId`. */
export async function userExists(db: Db, accountId: string, userName: string): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select('user_id')
    .where('account_id', '=', accountId)
    .where('user_name', '=', userName)
    .executeTakeFirst();
  return row !== undefined;
}

async function insertKey(
  db: Db,
  deps: IdentityDeps,
  accountId: string,
  userName: string | null,
  fixed: FixedRoot,
): Promise<IssuedKey> {
  const accessKeyId = fixed.accessKeyId ?? newAccessKeyId(deps.ids);
  const secretAccessKey = fixed.secretAccessKey ?? newSecretAccessKey(deps.ids);
  await db
    .insertInto('access_keys')
    .values({
      access_key_id: accessKeyId,
      account_id: accountId,
      user_name: userName,
      secret_sealed: deps.box.seal(secretAccessKey),
      status: 'Active',
      created_at: deps.clock.now().getTime(),
    })
    .execute();
  return { accountId, accessKeyId, secretAccessKey };
}

/** An active access key with its principal and its secret, opened. */
export interface KeyIdentity {
  readonly principal: Principal;
  readonly secret: string;
}

/**
 * Resolves access keys to principals. Keys are cached once opened: a hot
 * server verifies thousands of signatures a second with the same few keys.
 * A miss goes to the store, so keys made by `fedgate users create` while the
 * server runs work at once.
 */
export class IdentityDirectory {
  private readonly cache = new Map<string, KeyIdentity>();

  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  /** The identity behind `accessKeyId`, or undefined when no active key has that id. */
  async lookup(accessKeyId: string): Promise<KeyIdentity | undefined> {
    const cached = this.cache.get(accessKeyId);
    if (cached) return cached;

    const row = await this.db
      .selectFrom('access_keys as k')
      .leftJoin('users as u', (join) =>
        join.onRef('u.account_id', '=', 'k.account_id').onRef('u.user_name', '=', 'k.user_name'),
      )
      .select(['k.account_id', 'k.user_name', 'k.secret_sealed', 'k.status', 'u.user_id'])
      .where('k.access_key_id', '=', accessKeyId)
      .executeTakeFirst();
    if (!row || row.status !== 'Active') return undefined;

    const identity = {
      principal: toPrincipal(accessKeyId, row),
      secret: this.box.open(row.secret_sealed),
    };
    this.cache.set(accessKeyId, identity);
    return identity;
  }
}

function toPrincipal(
  accessKeyId: string,
  row: { account_id: string; user_name: string | null; user_id: string | null },
): Principal {
  if (row.user_name === null) return { type: 'Root', accountId: row.account_id, accessKeyId };
  return {
    type: 'IAMUser',
    accountId: row.account_id,
    accessKeyId,
    userName: row.user_name,
    userId: row.user_id ?? undefined,
  };
}
