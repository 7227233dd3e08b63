import { send } from './http-client.js';
import { lookupEvents, type LookupInput } from './operations.js';
import { signOperation, type Credentials, type Target } from './sign.js';
import { summarize, type LatencySummary } from './stats.js';

/** One kind of LookupEvents request, e.g. by EventName. */
export interface LookupKind {
  readonly name: string;
  /** The filter in words, for the report. */
  readonly description: string;
  readonly input: LookupInput;
}

/** The latency of one kind of lookup, and the fewest events any answer held. */
export interface LookupResult extends LatencySummary {
  readonly kind: string;
  readonly description: string;
  readonly fewestEvents: number;
}

/** How many lookups to send. */
export interface LookupPlan {
  readonly warmup: number;
  readonly measured: number;
}

/**
 * Sends each kind of lookup one at a time: `warmup` thrown away, then
 * `measured` timed. Every request is signed just before it is sent; every
 * answer must be 200 with at least one event, or the run fails.
 */
export async function measureLookups(
  target: Target,
  credentials: Credentials,
  kinds: readonly LookupKind[],
  plan: LookupPlan,
): Promise<LookupResult[]> {
  const results: LookupResult[] = [];
  for (const kind of kinds) {
    process.stderr.write(`bench: fedgate LookupEvents by ${kind.name}\n`);
    await timeLookups(target, credentials, kind, plan.warmup);
    const { samples, fewestEvents } = await timeLookups(target, credentials, kind, plan.measured);
    const { name, description } = kind;
    results.push({ kind: name, description, fewestEvents, ...summarize(samples) });
  }
  return results;
}

async function timeLookups(
  target: Target,
  credentials: Credentials,
  kind: LookupKind,
  count: number,
): Promise<{ samples: number[]; fewestEvents: number }> {
  const operation = lookupEvents(kind.name, kind.input);
  const samples: number[] = [];
  let fewestEvents = Number.POSITIVE_INFINITY;
  for (let i = 0; i < count; i += 1) {
    const answer = await send(target, await signOperation(operation, target, credentials));
    const events = eventCount(answer.status, answer.body, kind.name);
    fewestEvents = Math.min(fewestEvents, events);
    samples.push(answer.ms);
  }
  return { samples, fewestEvents };
}

/** The number of events in a LookupEvents answer; throws unless it is a 200 with events. */
export function eventCount(status: number, body: string, kind: string): number {
  if (status !== 200) throw new Error(`LookupEvents by ${kind} answered ${status}: ${body}`);
  const parsed = JSON.parse(body) as { Events?: unknown[] };
  const events = parsed.Events?.length ?? 0;
  if (events === 0) throw new Error(`LookupEvents by ${kind} found no events: ${body}`);
  return events;
}
