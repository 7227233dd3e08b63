import { createHash } from 'node:crypto';
import type { Clock } from '../../util/clock.js';
import { ImagePullError } from './errors.js';

/** A user name and password (or token) for one registry, as ECS's `repositoryCredentials`. */
export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

/**
 * Where a pull finds credentials: a table by registry host (`host` or `host:port`, Docker Hub
 * is `registry-1.docker.io`), or a function asked with that host.
 */
export type CredentialSource =
  Readonly<Record<string, BasicCredentials>> | ((registry: string) => BasicCredentials | undefined);

/** A `WWW-Authenticate` challenge: its scheme and its parameters, names lowercased. */
export interface Challenge {
  readonly scheme: 'basic' | 'bearer';
  readonly params: Readonly<Record<string, string>>;
}

/** Fetches a bearer token from a token endpoint; the transport supplies it (timeouts, errors). */
export type TokenRequest = (url: URL, authorization: string | undefined) => Promise<Response>;

/** Docker's token spec: a token without `expires_in` lives 60 seconds. */
const DEFAULT_TOKEN_SECONDS = 60;

/**
 * Parses a `WWW-Authenticate` header such as
 * `Bearer realm="https://auth.example/token",service="registry",scope="repository:a:pull"`.
 * Quoted values may hold commas (`scope="repository:a:pull,push"`).
 */
export function parseChallenge(header: string): Challenge | undefined {
  const match = /^\s*(basic|bearer)\b\s*(.*)$/is.exec(header);
  if (!match) return undefined;

  const params: Record<string, string> = {};
  const pair = /([a-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/giy;
  let found: RegExpExecArray | null;
  while ((found = pair.exec(match[2] ?? '')) !== null) {
    const value = found[2] !== undefined ? found[2].replace(/\\(.)/g, '$1') : (found[3] ?? '');
    params[(found[1] ?? '').toLowerCase()] = value;
  }
  return { scheme: (match[1] ?? '').toLowerCase() as Challenge['scheme'], params };
}

/**
 * Authenticates registry requests: remembers how each registry challenged (so later requests
 * go authorized at once instead of collecting a 401 each), answers Basic challenges with
 * credentials, and runs the bearer token flow, caching each token until it expires.
 *
 * Tokens are cached per credential as well as per scope: a token fetched with one task's
 * credentials is never handed to a pull made with other credentials, or with none.
 */
export class RegistryAuth {
  private readonly challenges = new Map<string, Challenge>();
  private readonly tokens = new Map<string, { token: string; expiresAt: number }>();
  private readonly pending = new Map<string, Promise<string>>();

  constructor(
    private readonly clock: Clock,
    private readonly requestToken: TokenRequest,
    private readonly credentials?: CredentialSource,
  ) {}

  /** The credentials for `registry`: the pull's own, else the store's. */
  credentialsFor(registry: string, own?: BasicCredentials): BasicCredentials | undefined {
    if (own) return own;
    if (typeof this.credentials === 'function') return this.credentials(registry);
    return this.credentials?.[registry];
  }

  /** The Authorization header for `registry` and `scope`, when its scheme is known already. */
  async header(
    registry: string,
    scope: string,
    credentials: BasicCredentials | undefined,
  ): Promise<string | undefined> {
    const challenge = this.challenges.get(registry);
    if (!challenge) return undefined;

    if (challenge.scheme === 'basic') return credentials && basicHeader(credentials);
    return `Bearer ${await this.token(challenge, scope, credentials)}`;
  }

  /**
   * Learns `registry`'s challenge from a 401 answer and drops the token it refused. Answers
   * whether a retry can be authorized: always for Bearer (a fresh token), for Basic only with
   * credentials.
   */
  learn(
    registry: string,
    header: string | null,
    scope: string,
    credentials: BasicCredentials | undefined,
  ): boolean {
    const challenge = header ? parseChallenge(header) : undefined;
    if (!challenge) return false;

    this.challenges.set(registry, challenge);
    if (challenge.scheme === 'basic') return credentials !== undefined;

    this.tokens.delete(tokenKey(challenge, scope, credentials));
    return true;
  }

  private async token(
    challenge: Challenge,
    scope: string,
    credentials: BasicCredentials | undefined,
  ): Promise<string> {
    const key = tokenKey(challenge, scope, credentials);
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > this.clock.now().getTime()) return cached.token;

    // Concurrent pulls of one image share one token request.
    let pending = this.pending.get(key);
    if (!pending) {
      pending = this.fetchToken(key, challenge, scope, credentials);
      this.pending.set(key, pending);
      pending.then(
        () => this.pending.delete(key),
        () => this.pending.delete(key),
      );
    }
    return pending;
  }

  private async fetchToken(
    key: string,
    challenge: Challenge,
    scope: string,
    credentials: BasicCredentials | undefined,
  ): Promise<string> {
    const url = tokenUrl(challenge, scope);
    const response = await this.requestToken(url, credentials && basicHeader(credentials));
    if (!response.ok) {
      await response.body?.cancel();
      throw new ImagePullError(
        'Unauthorized',
        `failed to authorize: failed to fetch ${credentials ? '' : 'anonymous '}token: ` +
          `unexpected status from GET request to ${url.origin}${url.pathname}: ` +
          `${response.status} ${response.statusText}`,
      );
    }

    const { token, seconds } = readToken(await response.text());
    // Expiry counts from our clock, not the token's `issued_at`: the two clocks may disagree.
    this.tokens.set(key, { token, expiresAt: this.clock.now().getTime() + seconds * 1000 });
    return token;
  }
}

function basicHeader(credentials: BasicCredentials): string {
  const pair = `${credentials.username}:${credentials.password}`;
  return `Basic ${Buffer.from(pair).toString('base64')}`;
}

function tokenUrl(challenge: Challenge, scope: string): URL {
  const realm = challenge.params.realm;
  let url: URL;
  try {
    url = new URL(realm ?? '');
  } catch {
    throw new ImagePullError('Unauthorized', `failed to authorize: invalid token realm "${realm}"`);
  }
  if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
  url.searchParams.set('scope', scope);
  return url;
}

function readToken(text: string): { token: string; seconds: number } {
  let body: { token?: unknown; access_token?: unknown; expires_in?: unknown } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // Falls through to the missing-token error below.
  }
  const token = typeof body.token === 'string' ? body.token : body.access_token;
  if (typeof token !== 'string' || token === '') {
    throw new ImagePullError('Unauthorized', 'failed to authorize: the token server sent no token');
  }
  const seconds =
    typeof body.expires_in === 'number' && body.expires_in > 0
      ? body.expires_in
      : DEFAULT_TOKEN_SECONDS;
  return { token, seconds };
}

/** Realm, service, scope, and a hash of the credentials (never the secret itself). */
function tokenKey(
  challenge: Challenge,
  scope: string,
  credentials: BasicCredentials | undefined,
): string {
  const who = credentials
    ? createHash('sha256').update(`${credentials.username}\0${credentials.password}`).digest('hex')
    : 'anonymous';
  return `${challenge.params.realm ?? ''} ${challenge.params.service ?? ''} ${scope} ${who}`;
}
