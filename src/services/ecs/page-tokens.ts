import { createHash } from 'node:crypto';
import { InvalidParameterException } from './errors.js';

/**
 * Pagination for ECS list operations that page by position in a sorted list:
 * the token carries the last item of the page and a hash of the query, so it
 * resumes the same query after that item and is refused for any other query
 * (AWS asks callers to keep the other parameters constant while paging).
 */

const DEFAULT_LIMIT = 100;

/** maxResults as ECS list operations take it: 1 to 100, 100 when absent. */
export function pageLimit(maxResults: number | undefined): number {
  const limit = maxResults ?? DEFAULT_LIMIT;
  if (limit < 1 || limit > DEFAULT_LIMIT) {
    throw new InvalidParameterException(`maxResults must be between 1 and ${DEFAULT_LIMIT}.`);
  }
  return limit;
}

/**
 * The first `limit` of `items` (fetched as limit + 1, so one more means another
 * page) and, when more follow, the token that resumes after the last one.
 */
export function pageOf<T>(
  items: readonly T[],
  limit: number,
  query: object,
): { items: T[]; nextToken?: string } {
  const page = items.slice(0, limit);
  const last = page.at(-1);
  if (items.length <= limit || last === undefined) return { items: page };
  return { items: page, nextToken: makeToken(last, query) };
}

/** The item a token resumes after; InvalidParameterException when it is not one of ours. */
export function readPageToken<T>(
  token: string,
  query: object,
  isItem: (value: unknown) => value is T,
): T {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null) {
      const { a, q } = parsed as Record<string, unknown>;
      if (q === queryHash(query) && isItem(a)) return a;
    }
  } catch {
    // Falls through to the error below: a token that is not ours is simply invalid.
  }
  throw new InvalidParameterException(
    'Invalid nextToken: it must come from a previous call with the same parameters.',
  );
}

function makeToken(after: unknown, query: object): string {
  return Buffer.from(JSON.stringify({ a: after, q: queryHash(query) })).toString('base64url');
}

function queryHash(query: object): string {
  const canonical = JSON.stringify(Object.entries(query).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}
