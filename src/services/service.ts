import type { Principal } from '../auth/principal.js';
import type { ExecSessions } from '../exec/sessions.js';
import type { ObjectFiles } from './s3/object-files.js';
import type { ServiceModel } from '../model/service-model.js';
import type { Violation } from '../model/validate.js';
import type { Region } from '../partitions.js';
import type { AwsError } from '../protocol/errors.js';
import type { Db } from '../store/db.js';
import type { Clock } from '../util/clock.js';
import type { IdSource } from '../util/ids.js';

/** A resource an event names, for CloudTrail's `resources` and LookupEvents' filters. */
export interface EventResource {
  readonly type: string;
  readonly name: string;
  readonly arn?: string;
}

/** What a data event acts on: its resource for selectors, and the resources its record names. */
export interface DataEventTarget {
  /** `AWS::S3::Object`. */
  readonly type: string;
  /** `arn:<partition>:s3:::<bucket>/<key>`. */
  readonly arn: string;
  readonly resources: readonly EventResource[];
}

/** Everything an operation may use; it never sees HTTP. */
export interface OperationContext {
  readonly requestId: string;
  readonly principal: Principal;
  readonly region: Region;
  /** The open transaction; the call's CloudTrail record commits in it too. */
  readonly db: Db;
  readonly clock: Clock;
  readonly ids: IdSource;
  /** Resources the operation touched, filled in by the operation for the audit record. */
  readonly resources: EventResource[];
  /** Services shared by every call (quotas, settings of the server). */
  readonly shared: SharedState;
  /**
   * The request's Host header: ECS Exec answers a data-channel URL on the host the caller
   * reached fedgate by, since fedgate has no ssmmessages host name of its own.
   */
  readonly host?: string;
  /** True when the call came over HTTPS: URLs answered back then use wss:// (or https://). */
  readonly tls?: boolean;
}

/** Process-wide state operations share, created once per server. */
export interface SharedState {
  /** Takes one token from the named per-account bucket; false when it is empty. */
  takeToken(bucket: string, ratePerSecond: number, burst: number): boolean;
  /** Requests per second for LookupEvents per account and region (AWS: 2). */
  readonly lookupEventsRate: number;
  /** The task reconciler, when the server runs tasks: told when a call changed a task. */
  readonly tasks?: TaskNudge;
  /** The S3-compatible endpoint trails deliver to when their bucket is not one of fedgate's. */
  readonly trailS3Endpoint?: string;
  /** ECS Exec sessions, when the server serves the data channel: ExecuteCommand issues them. */
  readonly sessions?: ExecSessions;
  /** S3 object bytes, when the server serves S3. */
  readonly objects?: ObjectFiles;
}

/** Wakes the task reconciler; it reads the change once the call's transaction has committed. */
export interface TaskNudge {
  nudge(): void;
}

/** One operation: a plain async function from input to output. */
export type Handler<I, O> = (ctx: OperationContext, input: I) => Promise<O>;

/** Marks an operation of the model that fedgate does not serve yet. */
export const notBuilt = Symbol('notBuilt');

/** The operations of one service: every model operation must appear (the compiler checks). */
export type OperationTable<Ops extends { [K in keyof Ops]: { input: unknown; output: unknown } }> =
  {
    [K in keyof Ops]: Handler<Ops[K]['input'], Ops[K]['output']> | typeof notBuilt;
  };

/** What the gateway needs to know about a service. */
export interface ServiceDefinition {
  /** SigV4 signing name, also the key the router finds the service by. */
  readonly signingName: string;
  /** CloudTrail's eventSource for this service's calls. */
  readonly eventSource: string;
  readonly model: ServiceModel;
  readonly operations: Record<string, Handler<never, unknown> | typeof notBuilt>;
  /**
   * How member names appear in CloudTrail records: as the API spells them
   * (ECS's camelCase) or lower-camel-cased (CloudTrail's and STS's PascalCase).
   */
  readonly recordMemberCase: 'asIs' | 'lowerCamel';
  /** Turns model violations into the service's own validation error. */
  validationError(operation: string, violations: Violation[]): AwsError;
  /** True for calls CloudTrail treats as data events, which the event history never records. */
  readonly isDataEvent?: (operation: string) => boolean;
  /** The resource a data event acts on, which trails' data selectors are matched against. */
  readonly dataEventTarget?: (
    operation: string,
    input: Record<string, unknown>,
    region: Region,
  ) => DataEventTarget | undefined;
  /**
   * The record's requestParameters when the service writes them otherwise than its model's
   * members (S3: `bucketName`, `Host`); the decoded input and the Host header are given.
   */
  readonly recordRequestParameters?: (
    operation: string,
    input: Record<string, unknown>,
    host: string | undefined,
  ) => Record<string, unknown> | null;
  /** False when the service's records carry no responseElements (S3 writes null). */
  readonly recordsResponseElements?: boolean;
}

/** AWS's convention: these verbs only read. */
export function isReadOnly(operation: string): boolean {
  return /^(Describe|Get|Head|List|Lookup)/.test(operation);
}
