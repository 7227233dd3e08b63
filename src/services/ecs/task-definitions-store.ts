import { sql } from 'kysely';
import type { TaskDefinition, TaskDefinitionStatus } from '../../model/generated/ecs.js';
import type { Db } from '../../store/db.js';

/** Where task definitions live: one account in one region (ECS is regional). */
export interface TaskDefinitionScope {
  readonly accountId: string;
  readonly region: string;
}

/** One stored revision: the registered definition and the state the columns hold. */
export interface StoredTaskDefinition {
  readonly family: string;
  readonly revision: number;
  readonly status: TaskDefinitionStatus;
  readonly registeredAt: Date;
  readonly deregisteredAt?: Date;
  /** Everything AWS answers except status and times, as registered. */
  readonly definition: TaskDefinition;
}

/** A revision's place in (family, revision) order, as list pages resume from it. */
export interface RevisionKey {
  readonly family: string;
  readonly revision: number;
}

/**
 * Hands out the next revision of `family`: 1 for a new family, else one more
 * than the last ever handed out, so a deleted revision's number is never reused.
 */
export async function nextRevision(
  db: Db,
  scope: TaskDefinitionScope,
  family: string,
): Promise<number> {
  const row = await db
    .insertInto('task_definition_families')
    .values({ account_id: scope.accountId, region: scope.region, family, last_revision: 1 })
    .onConflict((conflict) =>
      conflict
        .columns(['account_id', 'region', 'family'])
        .doUpdateSet({ last_revision: sql<number>`last_revision + 1` }),
    )
    .returning('last_revision')
    .executeTakeFirstOrThrow();
  return row.last_revision;
}

/** Stores a newly registered revision as ACTIVE. */
export async function insertTaskDefinition(
  db: Db,
  scope: TaskDefinitionScope,
  stored: Omit<StoredTaskDefinition, 'status' | 'deregisteredAt'>,
): Promise<void> {
  await db
    .insertInto('task_definitions')
    .values({
      account_id: scope.accountId,
      region: scope.region,
      family: stored.family,
      revision: stored.revision,
      status: 'ACTIVE',
      registered_at: stored.registeredAt.getTime(),
      deregistered_at: null,
      definition: JSON.stringify(stored.definition),
    })
    .execute();
}

/** One revision of a family, whatever its status. */
export async function readTaskDefinition(
  db: Db,
  scope: TaskDefinitionScope,
  key: RevisionKey,
): Promise<StoredTaskDefinition | undefined> {
  const row = await scoped(db, scope)
    .where('family', '=', key.family)
    .where('revision', '=', key.revision)
    .selectAll()
    .executeTakeFirst();
  return row && fromRow(row);
}

/** The newest ACTIVE revision of a family, which a bare family name stands for. */
export async function readLatestActive(
  db: Db,
  scope: TaskDefinitionScope,
  family: string,
): Promise<StoredTaskDefinition | undefined> {
  const row = await scoped(db, scope)
    .where('family', '=', family)
    .where('status', '=', 'ACTIVE')
    .orderBy('revision', 'desc')
    .limit(1)
    .selectAll()
    .executeTakeFirst();
  return row && fromRow(row);
}

/** Marks a revision INACTIVE at `at`. */
export async function markInactive(
  db: Db,
  scope: TaskDefinitionScope,
  key: RevisionKey,
  at: Date,
): Promise<void> {
  await db
    .updateTable('task_definitions')
    .set({ status: 'INACTIVE', deregistered_at: at.getTime() })
    .where('account_id', '=', scope.accountId)
    .where('region', '=', scope.region)
    .where('family', '=', key.family)
    .where('revision', '=', key.revision)
    .execute();
}

/** Removes a revision; its family keeps its last revision number. */
export async function removeTaskDefinition(
  db: Db,
  scope: TaskDefinitionScope,
  key: RevisionKey,
): Promise<void> {
  await db
    .deleteFrom('task_definitions')
    .where('account_id', '=', scope.accountId)
    .where('region', '=', scope.region)
    .where('family', '=', key.family)
    .where('revision', '=', key.revision)
    .execute();
}

/** What ListTaskDefinitions asks the store for. */
export interface RevisionQuery {
  readonly status: TaskDefinitionStatus;
  /** An exact family name: ListTaskDefinitions' familyPrefix is the full family name. */
  readonly family?: string;
  readonly descending: boolean;
  /** The last key of the previous page. */
  readonly after?: RevisionKey;
  readonly limit: number;
}

/** Revisions of one status in (family, revision) order, after `query.after`. */
export async function listRevisions(
  db: Db,
  scope: TaskDefinitionScope,
  query: RevisionQuery,
): Promise<RevisionKey[]> {
  const order = query.descending ? 'desc' : 'asc';
  let select = scoped(db, scope).where('status', '=', query.status);
  if (query.family !== undefined) select = select.where('family', '=', query.family);

  const after = query.after;
  if (after !== undefined) {
    const beyond = query.descending ? '<' : '>';
    select = select.where((eb) =>
      eb.or([
        eb('family', beyond, after.family),
        eb.and([eb('family', '=', after.family), eb('revision', beyond, after.revision)]),
      ]),
    );
  }
  return select
    .select(['family', 'revision'])
    .orderBy('family', order)
    .orderBy('revision', order)
    .limit(query.limit)
    .execute();
}

/** What ListTaskDefinitionFamilies asks the store for. */
export interface FamilyQuery {
  readonly prefix?: string;
  /** ACTIVE: families with an ACTIVE revision; INACTIVE: families without one. */
  readonly status: 'ACTIVE' | 'INACTIVE' | 'ALL';
  readonly after?: string;
  readonly limit: number;
}

/** Families that still have a stored revision, in name order, after `query.after`. */
export async function listFamilies(
  db: Db,
  scope: TaskDefinitionScope,
  query: FamilyQuery,
): Promise<string[]> {
  let select = scoped(db, scope);
  const prefix = query.prefix;
  if (prefix !== undefined) {
    // A range keeps the index usable: family names are letters, digits, - and _, all below
    // U+007F, so every name starting with the prefix sorts between these two bounds.
    select = select.where('family', '>=', prefix).where('family', '<', `${prefix}\u007f`);
  }
  if (query.after !== undefined) select = select.where('family', '>', query.after);

  let grouped = select.select('family').groupBy('family');
  const hasActive = sql<number>`max(status = 'ACTIVE')`;
  if (query.status === 'ACTIVE') grouped = grouped.having(hasActive, '=', 1);
  if (query.status === 'INACTIVE') grouped = grouped.having(hasActive, '=', 0);

  const rows = await grouped.orderBy('family').limit(query.limit).execute();
  return rows.map((row) => row.family);
}

function scoped(db: Db, scope: TaskDefinitionScope) {
  return db
    .selectFrom('task_definitions')
    .where('account_id', '=', scope.accountId)
    .where('region', '=', scope.region);
}

interface Row {
  family: string;
  revision: number;
  status: TaskDefinitionStatus;
  registered_at: number;
  deregistered_at: number | null;
  definition: string;
}

function fromRow(row: Row): StoredTaskDefinition {
  return {
    family: row.family,
    revision: row.revision,
    status: row.status,
    registeredAt: new Date(row.registered_at),
    deregisteredAt: row.deregistered_at === null ? undefined : new Date(row.deregistered_at),
    definition: JSON.parse(row.definition) as TaskDefinition,
  };
}
