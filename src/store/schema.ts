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
  buckets: BucketsTable;
  objects: ObjectsTable;
  multipart_uploads: MultipartUploadsTable;
  multipart_parts: MultipartPartsTable;
  trails: TrailsTable;
  trail_logging_spans: TrailLoggingSpansTable;
  trail_log_files: TrailLogFilesTable;
  trail_digest_chains: TrailDigestChainsTable;
  trail_outbox: TrailOutboxTable;
  trail_signing_keys: TrailSigningKeysTable;
}

/** An S3 bucket; its name is unique across all accounts, as in S3. */
export interface BucketsTable {
  name: string;
  account_id: string;
  region: string;
  created_at: number;
  /** The bucket policy as the caller sent it (JSON text), or null. */
  policy: string | null;
}

/** An S3 object; its bytes are in the file `file_id` under `<data-dir>/s3/`. */
export interface ObjectsTable {
  bucket: string;
  key: string;
  size: number;
  /** Quoted, as S3 answers it. */
  etag: string;
  content_type: string | null;
  content_encoding: string | null;
  /** User metadata (`x-amz-meta-*` without the prefix) as a JSON object. */
  metadata: string;
  last_modified: number;
  file_id: string;
}

/** An S3 multipart upload in progress. */
export interface MultipartUploadsTable {
  upload_id: string;
  bucket: string;
  key: string;
  content_type: string | null;
  content_encoding: string | null;
  metadata: string;
  created_at: number;
}

/** One uploaded part of a multipart upload. */
export interface MultipartPartsTable {
  upload_id: string;
  part_number: number;
  size: number;
  etag: string;
  file_id: string;
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
  /** 1 for management events (the event history), 0 for data events (trails only). */
  management: Generated<number>;
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

/** One RSA-2048 key pair that signs a region's CloudTrail digests during its validity. */
export interface TrailSigningKeysTable {
  /** Hex MD5 of the PKCS#1 public key DER, as ListPublicKeys and digests name the key. */
  fingerprint: string;
  region: string;
  /** Base64 of the PKCS#1 RSAPublicKey DER. */
  public_der: string;
  /** The PKCS#8 PEM private key, sealed with the data directory's master key. */
  private_key_sealed: string;
  /** Epoch ms; the key signs from here … */
  valid_from: number;
  /** … up to, not including, here. */
  valid_until: number;
}

/** A CloudTrail trail, in its home region; its shadows in other regions are not rows. */
export interface TrailsTable {
  trail_arn: string;
  account_id: string;
  name: string;
  home_region: string;
  /** The trail's settings (bucket, prefix, flags) as JSON: see TrailSettings. */
  settings: string;
  /** EventSelectors as JSON, null while the trail has the default selector. */
  event_selectors: string | null;
  advanced_event_selectors: string | null;
  created_at: number;
  logging: number;
  start_logging_at: number | null;
  stop_logging_at: number | null;
  /** Every event up to this sequence number has been planned for delivery (or skipped). */
  delivered_seq: number;
  latest_delivery_at: number | null;
  latest_delivery_attempt_at: number | null;
  latest_delivery_error: string | null;
  latest_digest_at: number | null;
  latest_digest_error: string | null;
}

/** A span of the event sequence during which a trail was logging: (after_seq, through_seq]. */
export interface TrailLoggingSpansTable {
  trail_arn: string;
  after_seq: number;
  /** Null while the trail is still logging. */
  through_seq: number | null;
}

/** A log file planned for a trail and not yet covered by one of its digests. */
export interface TrailLogFilesTable {
  trail_arn: string;
  region: string;
  bucket: string;
  object_key: string;
  sha256: string;
  oldest_event_at: number;
  newest_event_at: number;
  planned_at: number;
}

/** Where a trail's digest chain in one region stands. */
export interface TrailDigestChainsTable {
  trail_arn: string;
  region: string;
  last_end_at: number;
  last_bucket: string | null;
  last_key: string | null;
  last_sha256: string | null;
  last_signature: string | null;
}

/** An object a trail will write to its bucket: kept until the bucket has it. */
export interface TrailOutboxTable {
  id: Generated<number>;
  trail_arn: string;
  kind: 'log' | 'digest';
  bucket: string;
  object_key: string;
  body: Buffer;
  /** S3 user metadata as JSON. */
  metadata: string;
  created_at: number;
  attempts: number;
}
