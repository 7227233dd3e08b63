import type { ServiceDefinition } from '../services/service.js';

/**
 * Request parameters and response elements as CloudTrail writes them: plain
 * JSON, dates as ISO-8601 text, and member names in lower camel case (CloudTrail
 * writes `maxResults` for CloudTrail's own `MaxResults`). Empty structures are
 * recorded as null, as CloudTrail does for calls without parameters.
 */
export function recordMembers(
  service: ServiceDefinition,
  value: unknown,
): Record<string, unknown> | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const converted = convert(value, service.recordMemberCase === 'lowerCamel');
  return Object.keys(converted as object).length === 0
    ? null
    : (converted as Record<string, unknown>);
}

function convert(value: unknown, lowerCamel: boolean): unknown {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map((item) => convert(item, lowerCamel));
  if (typeof value !== 'object' || value === null) return value;

  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    if (member === undefined) continue;
    out[lowerCamel ? key.charAt(0).toLowerCase() + key.slice(1) : key] = convert(
      member,
      lowerCamel,
    );
  }
  return out;
}
