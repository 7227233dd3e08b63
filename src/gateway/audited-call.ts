import { insertEvent } from '../audit/event-store.js';
import { buildRecord, lookupUsername, type CallFacts, type TlsDetails } from '../audit/record.js';
import type { Principal } from '../auth/principal.js';
import type { Region } from '../partitions.js';
import { findOperation } from '../model/service-model.js';
import { NotImplemented } from '../protocol/common-errors.js';
import { AwsError, InternalFailure } from '../protocol/errors.js';
import type { Protocol, ProtocolRequest } from '../protocol/protocol.js';
import {
  isReadOnly,
  notBuilt,
  type EventResource,
  type Handler,
  type OperationContext,
  type ServiceDefinition,
  type SharedState,
} from '../services/service.js';
import type { Db } from '../store/db.js';
import type { GroupCommit } from '../store/group-commit.js';
import type { Clock } from '../util/clock.js';
import type { IdSource } from '../util/ids.js';
import { dataEventWanted } from '../trails/selectors.js';
import { recordMembers } from './record-members.js';

/** The parts of the server an audited call uses. */
export interface CallDeps {
  readonly commits: GroupCommit;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly shared: SharedState;
}

/** One authenticated call on its way to an operation. */
export interface AuthenticatedCall {
  readonly service: ServiceDefinition;
  readonly protocol: Protocol;
  readonly operation: string;
  readonly request: ProtocolRequest;
  readonly principal: Principal;
  readonly region: Region;
  readonly requestId: string;
  readonly sourceIp: string;
  readonly userAgent: string;
  /** The TLS facts when the call came over HTTPS; absent over plain HTTP. */
  readonly tls?: TlsDetails;
  /** The Host header, for operations that answer URLs back to the caller. */
  readonly host?: string;
}

/** What an operation answered. */
export type CallOutcome = { readonly output: unknown } | { readonly error: AwsError };

/** A call ready to run: its handler and typed input, or the error that stops it first. */
type Prepared =
  | { readonly handler: Handler<never, unknown>; readonly input: unknown }
  | { readonly error: AwsError };

/**
 * Runs an authenticated call and writes its CloudTrail record in the same
 * transaction, so no change exists without its record and no record without
 * its change (architecture invariant 1). A failed operation is rolled back to
 * its savepoint and its failure recorded instead. If the record cannot be
 * written the call fails.
 */
export async function runAuditedCall(
  deps: CallDeps,
  call: AuthenticatedCall,
): Promise<CallOutcome> {
  const eventTime = deps.clock.now();
  const { prepared, parameters } = prepare(call);

  return deps.commits.run(async (tx, undo) => {
    const resources: EventResource[] = [];
    const ctx = operationContext(deps, call, tx, resources);
    const outcome = 'error' in prepared ? prepared : await attempt(ctx, prepared, undo);
    const recorded = await recordedAs(tx, call, prepared, outcome);
    if (recorded?.category === 'Management') {
      await recordCall(tx, deps, call, {
        eventTime,
        parameters,
        resources,
        ...outcome,
        category: 'Management',
      });
    } else if (recorded) {
      const dataResources = recorded.resources;
      await recordCall(tx, deps, call, {
        eventTime,
        parameters,
        resources: dataResources,
        ...outcome,
        category: 'Data',
      });
    }
    return outcome;
  });
}

/** How a call is recorded, if at all. */
type Recorded =
  | { readonly category: 'Management' }
  | { readonly category: 'Data'; readonly resources: readonly EventResource[] };

/**
 * Every management event is recorded for the event history. A data event (an S3 object
 * call) is recorded only when a trail logging in the region selects it, and then for that
 * trail alone: the event history never shows data events, as in CloudTrail.
 */
async function recordedAs(
  tx: Db,
  call: AuthenticatedCall,
  prepared: Prepared,
  outcome: CallOutcome,
): Promise<Recorded | undefined> {
  if (call.service.isDataEvent?.(call.operation) !== true) return { category: 'Management' };
  if ('error' in prepared) return undefined;

  const input = prepared.input as Record<string, unknown>;
  const target = call.service.dataEventTarget?.(call.operation, input, call.region);
  if (!target) return undefined;

  const wanted = await dataEventWanted(tx, call.principal.accountId, call.region, {
    eventSource: call.service.eventSource,
    eventName: call.operation,
    readOnly: isReadOnly(call.operation),
    category: 'Data',
    resourceType: target.type,
    resourceArn: target.arn,
    ...('error' in outcome ? { errorCode: outcome.error.code } : {}),
  });
  return wanted ? { category: 'Data', resources: target.resources } : undefined;
}

/** Finds the handler and decodes the input; nothing here touches the store. */
function prepare(call: AuthenticatedCall): {
  prepared: Prepared;
  parameters: Record<string, unknown> | null;
} {
  let parameters: Record<string, unknown> | null = null;
  try {
    const handler = call.service.operations[call.operation];
    if (handler === undefined || handler === notBuilt) throw new NotImplemented(call.operation);

    const raw = call.protocol.rawInput(call.request);
    const decoded = call.protocol.decodeInput(call.service.model, call.operation, raw);
    const operation = findOperation(call.service.model, call.operation);
    parameters = requestParameters(call, decoded.value, operation?.input?.shape);
    if (decoded.violations.length > 0) {
      throw call.service.validationError(call.operation, decoded.violations);
    }
    return { prepared: { handler, input: decoded.value }, parameters };
  } catch (thrown) {
    return { prepared: { error: asAwsError(thrown) }, parameters };
  }
}

/** Runs the operation; a failure undoes its changes, but not the call's record written after. */
async function attempt(
  ctx: OperationContext,
  prepared: { handler: Handler<never, unknown>; input: unknown },
  undo: () => Promise<void>,
): Promise<CallOutcome> {
  try {
    return { output: await prepared.handler(ctx, prepared.input as never) };
  } catch (thrown) {
    await undo();
    ctx.resources.length = 0;
    return { error: asAwsError(thrown) };
  }
}

function asAwsError(thrown: unknown): AwsError {
  return thrown instanceof AwsError ? thrown : new InternalFailure({ cause: thrown });
}

function operationContext(
  deps: CallDeps,
  call: AuthenticatedCall,
  tx: Db,
  resources: EventResource[],
): OperationContext {
  return {
    requestId: call.requestId,
    principal: call.principal,
    region: call.region,
    db: tx,
    clock: deps.clock,
    ids: deps.ids,
    resources,
    shared: deps.shared,
    tls: call.tls !== undefined,
    ...(call.host === undefined ? {} : { host: call.host }),
  };
}

interface CallResult {
  readonly eventTime: Date;
  readonly parameters: Record<string, unknown> | null;
  readonly resources: readonly EventResource[];
  readonly output?: unknown;
  readonly error?: AwsError;
  readonly category: 'Management' | 'Data';
}

async function recordCall(db: Db, deps: CallDeps, call: AuthenticatedCall, result: CallResult) {
  const facts: CallFacts = {
    principal: call.principal,
    region: call.region,
    eventSource: call.service.eventSource,
    eventName: call.operation,
    eventTime: result.eventTime,
    eventId: deps.ids.uuid(),
    requestId: call.requestId,
    sourceIp: call.sourceIp,
    userAgent: call.userAgent,
    readOnly: isReadOnly(call.operation),
    requestParameters: result.parameters,
    responseElements: result.error ? null : responseElements(call, result.output),
    error: result.error ? { code: result.error.code, message: result.error.message } : undefined,
    resources: result.resources,
    tls: call.tls,
    category: result.category,
  };

  await insertEvent(db, {
    eventId: facts.eventId,
    accountId: call.principal.accountId,
    region: call.region.name,
    eventTime: facts.eventTime,
    eventName: facts.eventName,
    eventSource: facts.eventSource,
    readOnly: facts.readOnly,
    username: lookupUsername(call.principal),
    accessKeyId: call.principal.accessKeyId,
    resources: facts.resources,
    record: JSON.stringify(buildRecord(facts)),
    management: result.category === 'Management',
  });
}

/** The record's requestParameters: the service's own form, or the model's members. */
function requestParameters(
  call: AuthenticatedCall,
  input: Record<string, unknown>,
  shape: string | undefined,
): Record<string, unknown> | null {
  const custom = call.service.recordRequestParameters;
  return custom
    ? custom(call.operation, input, call.host)
    : recordMembers(call.service, input, shape);
}

function responseElements(call: AuthenticatedCall, output: unknown) {
  if (call.service.recordsResponseElements === false) return null;
  const operation = findOperation(call.service.model, call.operation);
  return recordMembers(call.service, output, operation?.output?.shape);
}
