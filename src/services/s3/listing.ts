/**
 * One page of an S3 key listing, fed keys in UTF-8 binary order (SQLite's BINARY collation on
 * UTF-8 text) starting after the marker: keys under a delimiter roll up into common prefixes,
 * and a page holds at most `maxKeys` keys and common prefixes together, as in S3.
 */

/** What a page is asked for. */
export interface ListingOptions {
  readonly prefix: string;
  readonly delimiter?: string;
  readonly maxKeys: number;
  /**
   * Where the previous page ended (a marker, StartAfter or continuation token). When it is a
   * common prefix, keys under it were already rolled up and are skipped.
   */
  readonly after?: string;
}

/** A finished page. */
export interface ListingPage<Row> {
  readonly contents: Row[];
  readonly commonPrefixes: string[];
  readonly isTruncated: boolean;
  /** The last key or common prefix on the page: where the next page starts after. */
  readonly last?: string;
}

/** Builds a page from keys offered in order; `offer` answers false once no more are wanted. */
export class KeyListing<Row extends { readonly key: string }> {
  private readonly contents: Row[] = [];
  private readonly commonPrefixes: string[] = [];
  private truncated = false;
  private last: string | undefined;
  private lastPrefix: string | undefined;

  constructor(private readonly options: ListingOptions) {
    this.lastPrefix = options.after;
  }

  /** Takes the next key in order; false when the page is complete. */
  offer(row: Row): boolean {
    const { prefix, delimiter, maxKeys } = this.options;
    if (maxKeys <= 0) return false;
    // Keys come in order from the prefix on: the first one outside it ends the range.
    if (!row.key.startsWith(prefix)) return false;

    const rolled = delimiter ? this.rollUp(row.key, prefix, delimiter) : undefined;
    if (rolled !== undefined && rolled === this.lastPrefix) return true;
    if (this.size() >= maxKeys) {
      this.truncated = true;
      return false;
    }

    if (rolled === undefined) {
      this.contents.push(row);
    } else {
      this.commonPrefixes.push(rolled);
      this.lastPrefix = rolled;
    }
    this.last = rolled ?? row.key;
    return true;
  }

  /** The page as it stands. */
  page(): ListingPage<Row> {
    return {
      contents: this.contents,
      commonPrefixes: this.commonPrefixes,
      isTruncated: this.truncated,
      ...(this.last === undefined ? {} : { last: this.last }),
    };
  }

  private rollUp(key: string, prefix: string, delimiter: string): string | undefined {
    const at = key.indexOf(delimiter, prefix.length);
    return at < 0 ? undefined : key.slice(0, at + delimiter.length);
  }

  private size(): number {
    return this.contents.length + this.commonPrefixes.length;
  }
}

/**
 * A value as S3 writes it with `encoding-type=url`: percent-encoded UTF-8, a space as '+',
 * and '/' left as is (the SDKs decode with unquote_plus / decodeURIComponent of '+' as space).
 */
export function urlEncodeValue(value: string): string {
  return encodeURIComponent(value)
    .replace(/%20/g, '+')
    .replace(/%2F/g, '/')
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The opaque continuation token of ListObjectsV2: where the page ended. */
export function continuationToken(last: string): string {
  return Buffer.from(`v1:${last}`, 'utf8').toString('base64');
}

/** Reads a continuation token back; undefined when it is not one of ours. */
export function readContinuationToken(token: string): string | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(token)) return undefined;
  const text = Buffer.from(token, 'base64').toString('utf8');
  return text.startsWith('v1:') ? text.slice(3) : undefined;
}
