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
  clusters: ClustersTable;
  tags: TagsTable;
  task_definition_families: TaskDefinitionFamiliesTable;
  task_definitions: TaskDefinitionsTable;
  tasks: TasksTable;
  exec_sessions: ExecSessionsTable;
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

export interface ClustersTable {
  account_id: string;
  region: string;
  cluster_name: string;
  cluster_arn: string;
  status: 'ACTIVE' | 'INACTIVE';
  /** ClusterSetting[] as JSON. */
  settings: string;
  /** ClusterConfiguration as JSON, null when none was given. */
  configuration: string | null;
  /** string[] as JSON. */
  capacity_providers: string;
  /** CapacityProviderStrategyItem[] as JSON. */
  default_strategy: string;
  /** ClusterServiceConnectDefaults as JSON, null when none was given. */
  service_connect_defaults: string | null;
  created_at: number;
  updated_at: number;
}

/** Tags of any ECS resource; the ARN names the resource's account and region. */
export interface TagsTable {
  resource_arn: string;
  tag_key: string;
  tag_value: string;
  position: number;
}

export interface TaskDefinitionFamiliesTable {
  account_id: string;
  region: string;
  family: string;
  /** The last revision handed out; revisions are never reused, even after delete. */
  last_revision: number;
}

export interface TaskDefinitionsTable {
  account_id: string;
  region: string;
  family: string;
  revision: number;
  status: 'ACTIVE' | 'INACTIVE' | 'DELETE_IN_PROGRESS';
  registered_at: number;
  deregistered_at: number | null;
  /** The registered TaskDefinition as JSON, without its status and times (the columns hold them). */
  definition: string;
}

export interface TasksTable {
  /** The 32-hex-digit task id, unique across accounts (it is random). */
  task_id: string;
  account_id: string;
  region: string;
  cluster_arn: string;
  task_arn: string;
  family: string;
  started_by: string | null;
  launch_type: string;
  desired_status: 'RUNNING' | 'STOPPED';
  last_status: string;
  /** 1 when the task was launched with fargateFIPSMode enabled; fixed for the task's life. */
  fips: number;
  created_at: number;
  /** The Task as ECS answers it, as JSON (timestamps as ISO-8601 text). */
  task: string;
  /** The TaskDefinition it was launched from, as JSON. */
  definition: string;
  /** Host pids of the containers' sandboxes by container name, as JSON (for `nsenter`). */
  pids: string;
}

/** One ECS Exec session; no command text or keystrokes are kept. */
export interface ExecSessionsTable {
  session_id: string;
  account_id: string;
  region: string;
  task_arn: string;
  container_name: string;
  /** Epoch ms when the data channel's token was redeemed. */
  started_at: number;
  /** Epoch ms when the session ended; null while it is open (or if fedgate died first). */
  ended_at: number | null;
}
