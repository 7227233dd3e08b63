import type { LookupKind } from './lookups.js';
import type { SeedMeta } from './seed-cache.js';

const HOUR_MS = 60 * 60 * 1000;

/** By EventName, by Username (an IAM user) and by a one-day time range mid-history. */
export function lookupKinds(meta: SeedMeta): LookupKind[] {
  const user = meta.usernames.find((name) => name !== 'root') ?? 'root';
  return [
    byAttribute('EventName', 'PutAccountSetting'),
    byAttribute('Username', user),
    oneDay(Math.round((meta.startMs + meta.endMs) / 2)),
  ];
}

function byAttribute(key: string, value: string): LookupKind {
  const input = { attribute: { key, value }, maxResults: 50 };
  return { name: key, description: `${key} = ${value}`, input };
}

function oneDay(middleMs: number): LookupKind {
  const startTime = Math.floor((middleMs - 12 * HOUR_MS) / 1000);
  const endTime = Math.floor((middleMs + 12 * HOUR_MS) / 1000);
  const minute = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 16);
  const description = `StartTime ${minute(startTime)}Z to EndTime ${minute(endTime)}Z`;
  return { name: 'TimeRange', description, input: { startTime, endTime, maxResults: 50 } };
}
