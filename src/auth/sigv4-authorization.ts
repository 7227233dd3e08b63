/**
 * SigV4 authentication parameters: finding them in the Authorization header or the presigned
 * query parameters and parsing them, checked for shape only. Nothing here needs the secret.
 */
import type { CredentialScope } from './sigv4.js';
import { incomplete, queryValue, type ParsedRequest, type QueryParam } from './sigv4-canonical.js';
import { ALGORITHM } from './sigv4-signing.js';

const MAX_PRESIGNED_SECONDS = 604_800;
const PRESIGNED_PARAMS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
] as const;

/** The SigV4 parameters the client sent, from the Authorization header or the query. */
export interface Authentication {
  presigned: boolean;
  scope: CredentialScope;
  terminator: string;
  signedHeaders: string[];
  signature: string;
  /** X-Amz-Date of a presigned URL; header authentication reads its date from the headers. */
  presignedDate?: string;
  expiresSeconds?: number;
}

// ---------------------------------------------------------------------------------------------
// Finding and parsing the authentication parameters

/**
 * The SigV4 parameters of the request, from the Authorization header or the presigned query;
 * undefined when it carries neither; fails with 'incomplete' when they are malformed or both.
 */
export function findAuthentication(parsed: ParsedRequest): Authentication | undefined {
  const authorization = parsed.headers.get('authorization');
  const presigned = parsed.params.some((param) => param.name === 'X-Amz-Signature');
  if (authorization === undefined) {
    return presigned ? parsePresigned(parsed.params) : undefined;
  }

  // Two mechanisms at once would leave it open which one the caller meant to be checked.
  if (presigned) {
    throw incomplete(
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, ' +
        'Signature query string parameter or the Authorization header should be specified.',
    );
  }
  if (authorization.length > 1) {
    throw incomplete('Only one Authorization header is allowed.');
  }
  return parseAuthorization(authorization[0] ?? '');
}

function parseAuthorization(header: string): Authentication {
  const [algorithm = '', ...parts] = header.trim().split(/[\s,]+/);
  checkAlgorithm(algorithm);

  const fields = new Map<string, string>();
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq > 0 && !fields.has(part.slice(0, eq))) {
      fields.set(part.slice(0, eq), part.slice(eq + 1));
    }
  }

  const [credential, signedHeaders, signature] = requireParts(
    fields,
    ['Credential', 'SignedHeaders', 'Signature'] as const,
    (name) => `Authorization header requires '${name}' parameter.`,
  );
  return {
    presigned: false,
    ...parseCredential(credential),
    signedHeaders: parseSignedHeaders(signedHeaders),
    signature,
  };
}

function parsePresigned(params: QueryParam[]): Authentication {
  const found = new Map<string, string>();
  for (const name of PRESIGNED_PARAMS) {
    found.set(name, queryValue(params, name) ?? '');
  }

  const [algorithm, credential, date, expires, signedHeaders, signature] = requireParts(
    found,
    PRESIGNED_PARAMS,
    (name) => `Query-string authentication requires the '${name}' parameter.`,
  );
  checkAlgorithm(algorithm);
  return {
    presigned: true,
    ...parseCredential(credential),
    signedHeaders: parseSignedHeaders(signedHeaders),
    signature,
    presignedDate: date,
    expiresSeconds: parseExpires(expires),
  };
}

/** Returns the named values in order, or fails listing every one that is missing or empty. */
function requireParts<const Names extends readonly string[]>(
  found: Map<string, string>,
  names: Names,
  describe: (name: string) => string,
): { [K in keyof Names]: string } {
  const missing = names.filter((name) => !found.get(name));
  if (missing.length > 0) {
    throw incomplete(missing.map(describe).join(' '));
  }
  return names.map((name) => found.get(name) ?? '') as { [K in keyof Names]: string };
}

function checkAlgorithm(algorithm: string): void {
  if (algorithm !== ALGORITHM) {
    throw incomplete(`Unsupported AWS 'algorithm'. Only '${ALGORITHM}' is supported.`);
  }
}

function parseCredential(credential: string): { scope: CredentialScope; terminator: string } {
  const parts = credential.split('/');
  const [accessKeyId = '', date = '', region = '', service = '', terminator = ''] = parts;
  if (parts.length !== 5 || parts.some((part) => part === '')) {
    throw incomplete(
      'Credential must have exactly 5 slash-delimited elements, ' +
        'e.g. keyid/date/region/service/term.',
    );
  }

  if (!/^\d{8}$/.test(date)) {
    throw incomplete('Credential date must be in the format YYYYMMDD.');
  }
  return { scope: { accessKeyId, date, region, service }, terminator };
}

function parseSignedHeaders(list: string): string[] {
  const names = list.split(';').map((name) => name.toLowerCase());
  if (names.some((name) => name === '')) {
    throw incomplete(`SignedHeaders must be a ';'-separated list of header names.`);
  }

  // The canonical request lists headers in sorted order; conforming signers already send them so.
  return names.sort();
}

function parseExpires(expires: string): number {
  const seconds = /^\d{1,7}$/.test(expires) ? Number(expires) : NaN;
  if (!(seconds >= 1 && seconds <= MAX_PRESIGNED_SECONDS)) {
    throw incomplete(
      `X-Amz-Expires must be a whole number of seconds from 1 to ${MAX_PRESIGNED_SECONDS}.`,
    );
  }
  return seconds;
}
