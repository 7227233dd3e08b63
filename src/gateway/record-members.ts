import { getShape, type ServiceModel, type Shape } from '../model/service-model.js';
import type { ServiceDefinition } from '../services/service.js';

/** What CloudTrail writes instead of a value the model marks sensitive. */
export const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';

/**
 * Request parameters and response elements as CloudTrail writes them: plain
 * JSON, dates as ISO-8601 text, and member names in lower camel case (CloudTrail
 * writes `maxResults` for CloudTrail's own `MaxResults`). Empty structures are
 * recorded as null, as CloudTrail does for calls without parameters. Given the
 * value's shape, members the model marks sensitive (ExecuteCommand's session
 * `tokenValue`) are recorded as {@link HIDDEN}, as CloudTrail does.
 */
export function recordMembers(
  service: ServiceDefinition,
  value: unknown,
  shapeName?: string,
): Record<string, unknown> | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const walk: Walk = {
    model: service.model,
    lowerCamel: service.recordMemberCase === 'lowerCamel',
  };
  const shape = shapeName === undefined ? undefined : getShape(service.model, shapeName);
  const converted = convert(value, walk, shape);
  return Object.keys(converted as object).length === 0
    ? null
    : (converted as Record<string, unknown>);
}

interface Walk {
  readonly model: ServiceModel;
  readonly lowerCamel: boolean;
}

function convert(value: unknown, walk: Walk, shape: Shape | undefined): unknown {
  if (shape?.sensitive && value !== undefined && value !== null) return HIDDEN;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) {
    const item = shape?.type === 'list' ? shapeOf(walk, shape.member.shape) : undefined;
    return value.map((member) => convert(member, walk, item));
  }
  if (typeof value !== 'object' || value === null) return value;

  // Map keys are data (tag keys, labels): only structure member names change case.
  const renames = walk.lowerCamel && shape?.type !== 'map';
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    if (member === undefined) continue;
    const name = renames ? key.charAt(0).toLowerCase() + key.slice(1) : key;
    out[name] = convert(member, walk, memberShape(walk, shape, key));
  }
  return out;
}

function memberShape(walk: Walk, shape: Shape | undefined, key: string): Shape | undefined {
  if (shape?.type === 'structure') {
    const ref = Object.hasOwn(shape.members, key) ? shape.members[key] : undefined;
    return ref && shapeOf(walk, ref.shape);
  }
  return shape?.type === 'map' ? shapeOf(walk, shape.value.shape) : undefined;
}

function shapeOf(walk: Walk, name: string): Shape | undefined {
  return Object.hasOwn(walk.model.shapes, name) ? getShape(walk.model, name) : undefined;
}
