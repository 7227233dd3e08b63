import { systemClock, type Clock } from '../../util/clock.js';
import { RegistryAuth, type BasicCredentials, type CredentialSource } from './auth.js';
import { ImagePullError } from './errors.js';

/** How the registry client reaches registries. */
export interface TransportOptions {
  /** Registries (`host` or `host:port`) spoken to over plain HTTP; loopback always is. */
  readonly insecureRegistries?: readonly string[];
  /** Credentials for HTTP Basic auth and for bearer token requests, by registry host. */
  readonly credentials?: CredentialSource;
  /** The fetch to use; the global one by default. */
  readonly fetch?: typeof fetch;
  /** Where token expiry reads the time. */
  readonly clock?: Clock;
  /** Longest wait for an answer, and for each chunk of a body after it; 30 s by default. */
  readonly timeoutMs?: number;
}

/** One GET against a registry's API. */
export interface RegistryRequest {
  readonly registry: string;
  /** The path, starting `/v2/`. */
  readonly path: string;
  /** The token scope, `repository:<name>:pull`. */
  readonly scope: string;
  readonly accept?: string;
  /** Begins every error message: `failed to resolve ref …`, `failed to copy`. */
  readonly context: string;
  /** This pull's own credentials (ECS `repositoryCredentials`), over the store's. */
  readonly credentials?: BasicCredentials;
}

/** A registry's answer; its body must be read or discarded. */
export interface RegistryResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly url: string;
  /** The body in chunks; a stall longer than the timeout fails it. */
  chunks(): AsyncGenerator<Buffer>;
  /** The whole body, refused when larger than `limit` bytes. */
  readAll(limit: number): Promise<Buffer>;
  discard(): Promise<void>;
}

const MAX_REDIRECTS = 10;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * HTTP for the registry client: picks HTTPS or plain HTTP, authorizes, follows redirects
 * (dropping credentials when they leave the registry's origin), bounds every wait, and turns
 * network failures into containerd-like reasons.
 */
export class RegistryTransport {
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;
  private readonly insecure: readonly string[];
  private readonly auth: RegistryAuth;

  constructor(options: TransportOptions = {}) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.insecure = options.insecureRegistries ?? [];
    const requestToken = (url: URL, authorization: string | undefined) =>
      this.fetchToken(url, authorization);
    this.auth = new RegistryAuth(options.clock ?? systemClock, requestToken, options.credentials);
  }

  /** `https://<registry>`, or `http://` for loopback and insecure registries. */
  origin(registry: string): string {
    return `${this.allowsPlainHttp(registry) ? 'http' : 'https'}://${registry}`;
  }

  /** GETs `request.path`, authorized; non-2xx answers are returned for the caller to judge. */
  async get(request: RegistryRequest): Promise<RegistryResponse> {
    const url = new URL(request.path, this.origin(request.registry));
    const credentials = this.auth.credentialsFor(request.registry, request.credentials);
    const first = await this.attempt(url, request, credentials);
    if (first.status !== 401 || first.redirected) return first;

    const challenge = first.headers.get('www-authenticate');
    if (!this.auth.learn(request.registry, challenge, request.scope, credentials)) return first;

    await first.discard();
    return this.attempt(url, request, credentials);
  }

  private async attempt(
    url: URL,
    request: RegistryRequest,
    credentials: BasicCredentials | undefined,
  ): Promise<RegistryResponse & { redirected: boolean }> {
    const authorization = await this.auth.header(request.registry, request.scope, credentials);
    const headers: Record<string, string> = {};
    if (request.accept) headers.accept = request.accept;
    if (authorization) headers.authorization = authorization;
    return this.follow(url, headers, request.context);
  }

  private async follow(
    start: URL,
    headers: Record<string, string>,
    context: string,
  ): Promise<RegistryResponse & { redirected: boolean }> {
    let url = start;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const response = await this.send(url, headers, context);
      const location = response.headers.get('location');
      if (!REDIRECT_STATUSES.has(response.status) || !location) {
        return { ...response, redirected: hop > 0 };
      }

      await response.discard();
      const next = new URL(location, url);
      this.checkRedirect(url, next, context);

      // Blob storage behind a redirect (S3, a CDN) must never see the registry's credentials.
      if (next.origin !== url.origin) delete headers.authorization;
      url = next;
    }
    throw new ImagePullError(
      'RegistryError',
      `${context}: stopped after ${MAX_REDIRECTS} redirects`,
    );
  }

  private checkRedirect(from: URL, to: URL, context: string): void {
    const downgrade = from.protocol === 'https:' && to.protocol === 'http:';
    if (to.protocol === 'https:' || to.protocol === 'http:') {
      if (!downgrade || this.allowsPlainHttp(to.host)) return;
    }
    throw new ImagePullError(
      'RegistryError',
      `${context}: refusing redirect from ${from.origin} to ${to.origin}`,
    );
  }

  private async fetchToken(url: URL, authorization: string | undefined): Promise<Response> {
    const context = 'failed to authorize';
    if (
      url.protocol !== 'https:' &&
      !(url.protocol === 'http:' && this.allowsPlainHttp(url.host))
    ) {
      throw new ImagePullError(
        'Unauthorized',
        `${context}: token realm ${url.origin} is not HTTPS`,
      );
    }

    const headers: Record<string, string> = authorization ? { authorization } : {};
    const response = await this.send(url, headers, context);
    const body = await response.readAll(1024 * 1024);
    return new Response(body.length > 0 ? body : null, {
      status: response.status,
      statusText: response.statusText,
    });
  }

  private async send(
    url: URL,
    headers: Record<string, string>,
    context: string,
  ): Promise<RegistryResponse> {
    const watchdog = new Watchdog(this.timeoutMs);
    let response: Response;
    try {
      watchdog.arm();
      response = await this.fetch(url, { headers, redirect: 'manual', signal: watchdog.signal });
    } catch (err) {
      throw networkError(err, url, context, watchdog.fired);
    } finally {
      watchdog.disarm();
    }
    return wrapResponse(response, url, context, watchdog);
  }

  private allowsPlainHttp(registry: string): boolean {
    const host = hostname(registry);
    if (host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)) return true;
    return this.insecure.includes(registry) || this.insecure.includes(host);
  }
}

/** Aborts a request when no progress happens for `ms` milliseconds. */
class Watchdog {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  fired = false;

  constructor(private readonly ms: number) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  arm(): void {
    this.disarm();
    this.timer = setTimeout(() => {
      this.fired = true;
      this.controller.abort();
    }, this.ms);
  }

  disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

function wrapResponse(
  response: Response,
  url: URL,
  context: string,
  watchdog: Watchdog,
): RegistryResponse {
  async function* chunks(): AsyncGenerator<Buffer> {
    if (!response.body) return;
    const reader = response.body.getReader();
    try {
      for (;;) {
        watchdog.arm();
        const { done, value } = await reader.read();
        watchdog.disarm();
        if (done) return;
        yield Buffer.from(value);
      }
    } catch (err) {
      throw networkError(err, url, context, watchdog.fired);
    } finally {
      watchdog.disarm();
      await reader.cancel().catch(() => undefined);
    }
  }

  async function readAll(limit: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let size = 0;
    for await (const chunk of chunks()) {
      size += chunk.length;
      if (size > limit) {
        throw new ImagePullError('RegistryError', `${context}: answer larger than ${limit} bytes`);
      }
      parts.push(chunk);
    }
    return Buffer.concat(parts);
  }

  return {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
    url: url.href,
    chunks,
    readAll,
    discard: async () => {
      await response.body?.cancel().catch(() => undefined);
    },
  };
}

/**
 * Words a failed request as containerd does (`dial tcp 127.0.0.1:5000: connect: connection
 * refused`), since that is what ECS shows in a stopped task's reason.
 */
function networkError(err: unknown, url: URL, context: string, timedOut: boolean): ImagePullError {
  if (err instanceof ImagePullError) return err;
  const request = `${context}: failed to do request: Get "${url.href}"`;
  if (timedOut) return new ImagePullError('Timeout', `${request}: i/o timeout`, { cause: err });

  const cause = (
    err as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }
  ).cause;
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const dial = `dial tcp ${url.hostname}:${port}`;
  const detail: Record<string, string> = {
    ECONNREFUSED: `${dial}: connect: connection refused`,
    ENOTFOUND: `dial tcp: lookup ${url.hostname}: no such host`,
    EAI_AGAIN: `dial tcp: lookup ${url.hostname}: temporary failure in name resolution`,
    ECONNRESET: 'read: connection reset by peer',
    EHOSTUNREACH: `${dial}: connect: no route to host`,
    ENETUNREACH: `${dial}: connect: network is unreachable`,
  };
  const message = (code && detail[code]) ?? cause?.message ?? (err as Error).message ?? String(err);
  return new ImagePullError('Unreachable', `${request}: ${message}`, { cause: err });
}

function hostname(registry: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(registry);
  if (bracketed) return bracketed[1] ?? '';
  return registry.replace(/:\d+$/, '');
}
