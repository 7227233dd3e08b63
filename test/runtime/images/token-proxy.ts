import { randomUUID } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestRegistry } from '../../support/registry.js';

/** What the token proxy saw, for assertions. */
export interface TokenProxy {
  /** `127.0.0.1:<port>`, the registry part of references that go through the proxy. */
  readonly host: string;
  /** Each token request: its query and the Authorization it carried. */
  readonly tokenRequests: { scope: string; service: string; authorization?: string }[];
  /** Each request the blob storage got after a redirect, with its Authorization if any. */
  readonly storageRequests: { path: string; authorization?: string }[];
  stop(): Promise<void>;
}

/** How the proxy behaves. */
export interface TokenProxyOptions {
  /** The token endpoint answers 401 unless these Basic credentials come with the request. */
  readonly credentials?: { username: string; password: string };
  /** `expires_in` of issued tokens, in seconds. */
  readonly expiresIn?: number;
  /** Blob GETs are redirected to a second server (another origin), as registries do to S3. */
  readonly redirectBlobs?: boolean;
}

const SERVICE = 'fedgate-test-registry';

/**
 * A bearer-token front for a real registry, the way Docker Hub and ECR work: `/v2/` answers
 * 401 with a `WWW-Authenticate: Bearer realm=…,service=…,scope=…` challenge until a token from
 * its `/token` endpoint comes along; then it forwards to the registry. The distribution
 * registry's own token auth needs a signing certificate chain, which this test avoids.
 */
export async function startTokenProxy(
  upstream: TestRegistry,
  options: TokenProxyOptions = {},
): Promise<TokenProxy> {
  const tokens = new Set<string>();
  const tokenRequests: TokenProxy['tokenRequests'] = [];
  const storageRequests: TokenProxy['storageRequests'] = [];

  const storage = await listen((req, res) => {
    storageRequests.push({ path: req.url ?? '', ...authorizationOf(req) });
    forward(upstream, req, res);
  });
  const proxy = await listen((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    if (url.pathname === '/token') return issueToken(req, res, url);
    if (!tokens.has((req.headers.authorization ?? '').replace(/^Bearer /, ''))) {
      return challenge(res, url);
    }
    if (options.redirectBlobs && url.pathname.includes('/blobs/')) {
      res.writeHead(307, { location: `http://${address(storage)}${url.pathname}` }).end();
      return;
    }
    forward(upstream, req, res);
  });
  const host = address(proxy);

  function issueToken(req: IncomingMessage, res: ServerResponse, url: URL) {
    const { authorization } = authorizationOf(req);
    tokenRequests.push({
      scope: url.searchParams.get('scope') ?? '',
      service: url.searchParams.get('service') ?? '',
      ...(authorization ? { authorization } : {}),
    });
    const expected = options.credentials
      ? `Basic ${Buffer.from(`${options.credentials.username}:${options.credentials.password}`).toString('base64')}`
      : undefined;
    if (expected && authorization !== expected) {
      res
        .writeHead(401, { 'content-type': 'application/json' })
        .end('{"details":"bad credentials"}');
      return;
    }
    const token = randomUUID();
    tokens.add(token);
    const body = { token, access_token: token, expires_in: options.expiresIn ?? 300 };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  function challenge(res: ServerResponse, url: URL) {
    const name = /^\/v2\/(.+)\/(?:manifests|blobs)\//.exec(url.pathname)?.[1] ?? '';
    const scope = name ? `,scope="repository:${name}:pull"` : '';
    res.writeHead(401, {
      'content-type': 'application/json',
      'www-authenticate': `Bearer realm="http://${host}/token",service="${SERVICE}"${scope}`,
    });
    res.end(
      JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }),
    );
  }

  return {
    host,
    tokenRequests,
    storageRequests,
    stop: async () => {
      await Promise.all([close(proxy), close(storage)]);
    },
  };
}

/** Streams a GET to the real registry and its answer back, unchanged. */
function forward(upstream: TestRegistry, req: IncomingMessage, res: ServerResponse): void {
  const headers = { ...req.headers, host: upstream.host };
  delete headers.authorization;
  const outgoing = httpRequest(new URL(req.url ?? '/', upstream.url), {
    method: req.method,
    headers,
  });
  outgoing.on('response', (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  outgoing.on('error', () => res.writeHead(502).end());
  req.pipe(outgoing);
}

function authorizationOf(req: IncomingMessage): { authorization?: string } {
  return req.headers.authorization ? { authorization: req.headers.authorization } : {};
}

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<Server> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function address(server: Server): string {
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
