import type { Generated } from 'kysely';

/**
 * The tables of fedgate's store. One schema serves both engines (SQLite and,
 * later, PostgreSQL); times are integers of epoch milliseconds so both engines
 * compare and index them the same way.
 */
export interface Database {
  accounts: AccountsTable;
  users: UsersTable;
  access_keys: AccessKeysTable;
  account_settings: AccountSettingsTable;
  events: EventsTable;
  event_resources: EventResourcesTable;
}

export interface AccountsTable {
  account_id: string;
  created_at: number;
}

export interface UsersTable {
  account_id: string;
  user_name: string;
  /** The IAM unique id (`AIDA…`), CloudTrail's principalId. */
  user_id: string;
  created_at: number;
}

export interface AccessKeysTable {
  access_key_id: string;
  account_id: string;
  /** Null for the account's root user. */
  user_name: string | null;
  /** The secret, sealed with the data directory's master key (never stored in clear). */
  secret_sealed: string;
  status: 'Active' | 'Inactive';
  created_at: number;
}

export interface AccountSettingsTable {
  account_id: string;
  region: string;
  /** Partition-free principal: `root`, `user/<name>` or `role/<name>`. */
  principal: string;
  name: string;
  value: string;
  updated_at: number;
}

export interface EventsTable {
  seq: Generated<number>;
  event_id: string;
  account_id: string;
  region: string;
  event_time: number;
  event_name: string;
  event_source: string;
  read_only: number;
  username: string | null;
  access_key_id: string | null;
  /** The whole CloudTrail record as JSON text, exactly as LookupEvents returns it. */
  record: string;
}

export interface EventResourcesTable {
  seq: number;
  account_id: string;
  region: string;
  event_time: number;
  resource_type: string;
  resource_name: string;
}
