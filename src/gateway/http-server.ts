import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { AuthFailure } from '../auth/errors.js';
import type { IdentityDirectory } from '../auth/identity-store.js';
import { readCredentialScope, verifySigV4, type IncomingSignedRequest } from '../auth/sigv4.js';
import { findRegion, type Region } from '../partitions.js';
import { RequestEntityTooLargeException } from '../protocol/common-errors.js';
import { AwsError, InternalFailure } from '../protocol/errors.js';
import { json11 } from '../protocol/json.js';
import type { Protocol, ProtocolRequest, ProtocolResponse } from '../protocol/protocol.js';
import { query } from '../protocol/query.js';
import { restXml } from '../protocol/rest-xml.js';
import type { ServiceDefinition } from '../services/service.js';
import { runAuditedCall, type CallDeps } from './audited-call.js';
import { tlsDetailsOf } from '../tls/tls-details.js';
import { decodeS3Body, EntityTooLarge, signedForS3 } from './s3-requests.js';

/** What the gateway needs from the rest of the server. */
export interface GatewayDeps extends CallDeps {
  readonly services: readonly ServiceDefinition[];
  readonly directory: IdentityDirectory;
  readonly logger: Logger;
  readonly maxBodyBytes: number;
  /** Largest S3 request body (an object or part) accepted; maxBodyBytes when absent. */
  readonly maxObjectBytes?: number;
}

/** How one request ended, for its log line. */
interface Outcome {
  service?: string;
  operation?: string;
  accountId?: string;
  region?: string;
  principal?: string;
  errorCode?: string;
}

/**
 * Builds the HTTP request listener: routes each request by its SigV4 scope to
 * a service, verifies the signature, runs the operation through the audited
 * call path and writes one structured log line.
 */
export function createGateway(deps: GatewayDeps) {
  const services = new Map(deps.services.map((service) => [service.signingName, service]));

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const requestId = deps.ids.uuid();
    const outcome: Outcome = {};
    let response: ProtocolResponse;

    try {
      response = await answer(deps, services, req, requestId, outcome);
    } catch (thrown) {
      deps.logger.error({ err: thrown, requestId }, 'unexpected failure outside an operation');
      response = json11.encodeError(new InternalFailure(), requestId);
    }

    res.writeHead(response.status, response.headers);
    res.end(response.body);
    logRequest(deps.logger, requestId, outcome, response.status, performance.now() - started);
  };
}

async function answer(
  deps: GatewayDeps,
  services: Map<string, ServiceDefinition>,
  req: IncomingMessage,
  requestId: string,
  outcome: Outcome,
): Promise<ProtocolResponse> {
  // Read before the body: a client may close its socket once it has sent everything.
  const tls = tlsDetailsOf(req);
  const s3 = signedForS3(req);
  const limit = s3 ? (deps.maxObjectBytes ?? deps.maxBodyBytes) : deps.maxBodyBytes;
  const body = await readBody(req, limit);
  if (body === undefined) {
    return s3
      ? restXml.encodeError(new EntityTooLarge(limit), requestId)
      : json11.encodeError(new RequestEntityTooLargeException(limit), requestId);
  }

  let request = protocolRequest(req, body);
  if (isHealthCheck(req, request)) return health(requestId);

  let protocol = guessProtocol(request);
  try {
    const signed = signedRequest(req, request);
    const { service, region } = route(services, signed);
    protocol = protocolOf(service);
    outcome.service = service.signingName;
    outcome.region = region.name;

    const verified = await verifySigV4(signed, {
      now: deps.clock.now(),
      expectedService: service.signingName,
      lookupSecret: async (id) => (await deps.directory.lookup(id))?.secret,
      s3: protocol === restXml,
    });
    // The key was found (or verification failed): this lookup answers from the directory's cache.
    const identity = await deps.directory.lookup(verified.scope.accessKeyId);
    if (!identity)
      throw new AuthFailure('unknownKey', 'The security token included in the request is invalid.');
    if (protocol === restXml) request = decodeS3Body(request, signed, verified, identity.secret);

    const operation = protocol.operation(service.model, request);
    Object.assign(outcome, {
      operation,
      accountId: identity.principal.accountId,
      principal: identity.principal.userName ?? 'root',
    });

    const result = await runAuditedCall(deps, {
      service,
      protocol,
      operation,
      request,
      principal: identity.principal,
      region,
      requestId,
      sourceIp: sourceIp(req),
      userAgent: headerText(req.headers['user-agent']),
      ...(req.headers.host === undefined ? {} : { host: req.headers.host }),
      ...(tls === undefined ? {} : { tls }),
    });
    if ('error' in result) return failure(protocol, result.error, requestId, outcome, deps.logger);
    return protocol.encodeOutput(service.model, operation, result.output, requestId);
  } catch (thrown) {
    const error = thrown instanceof AuthFailure ? protocol.authError(thrown) : thrown;
    if (error instanceof AwsError) return failure(protocol, error, requestId, outcome, deps.logger);
    throw thrown;
  }
}

function failure(
  protocol: Protocol,
  error: AwsError,
  requestId: string,
  outcome: Outcome,
  logger: Logger,
): ProtocolResponse {
  outcome.errorCode = error.code;
  if (error.status >= 500 && error.cause !== undefined) {
    logger.error({ err: error.cause, requestId }, 'operation failed');
  }
  return protocol.encodeError(error, requestId);
}

/** Picks the service and region from the credential scope, whatever host name was used. */
function route(services: Map<string, ServiceDefinition>, signed: IncomingSignedRequest) {
  const scope = readCredentialScope(signed);
  if (!scope) throw new AuthFailure('missing', 'Missing Authentication Token');

  const service = services.get(scope.service);
  if (!service) {
    throw new AuthFailure(
      'badScope',
      `Credential should be scoped to correct service: '${scope.service}' is not served here.`,
    );
  }
  const region: Region | undefined = findRegion(scope.region);
  if (!region) {
    throw new AuthFailure(
      'badScope',
      `Credential should be scoped to a valid region, not '${scope.region}'.`,
    );
  }
  return { service, region };
}

function protocolOf(service: ServiceDefinition): Protocol {
  const name = service.model.metadata.protocol;
  return name === 'query' ? query : name === 'rest-xml' ? restXml : json11;
}

/**
 * Before the scope is known, answer in the protocol the request looks like: JSON services
 * always POST with X-Amz-Target or a JSON body, Query services name an Action; what is left
 * (GET /bucket, PUT /bucket/key…) is S3.
 */
function guessProtocol(request: ProtocolRequest): Protocol {
  const type = headerText(request.headers['content-type']);
  if (request.headers['x-amz-target'] !== undefined || type.includes('json')) return json11;
  if (type.includes('x-www-form-urlencoded') || request.query.includes('Action=')) return query;
  return request.method === 'POST' && request.path === '/' ? json11 : restXml;
}

/** `GET /health` unsigned; a signed one is S3's ListObjects on a bucket named `health`. */
function isHealthCheck(req: IncomingMessage, request: ProtocolRequest): boolean {
  if (request.method !== 'GET' || request.path !== '/health') return false;
  return req.headers.authorization === undefined && !request.query.includes('X-Amz-Credential');
}

function health(requestId: string): ProtocolResponse {
  const body = JSON.stringify({ status: 'ok' });
  return {
    status: 200,
    headers: { 'content-type': 'application/json', 'x-amzn-RequestId': requestId },
    body,
  };
}

/**
 * Reads the body, or undefined when it is over `limit`. An oversized body is
 * still read to its end (and dropped) so the client, which is still sending,
 * gets the 413 answer instead of a reset connection.
 */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= limit) chunks.push(chunk as Buffer);
  }
  return size > limit ? undefined : Buffer.concat(chunks);
}

function protocolRequest(req: IncomingMessage, body: Buffer): ProtocolRequest {
  const target = req.url ?? '/';
  const mark = target.indexOf('?');
  return {
    method: req.method ?? 'GET',
    path: mark < 0 ? target : target.slice(0, mark),
    query: mark < 0 ? '' : target.slice(mark + 1),
    headers: req.headers,
    body,
  };
}

function signedRequest(req: IncomingMessage, request: ProtocolRequest): IncomingSignedRequest {
  return { ...request, rawHeaders: req.rawHeaders };
}

function sourceIp(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

function headerText(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

function logRequest(
  logger: Logger,
  requestId: string,
  outcome: Outcome,
  status: number,
  ms: number,
) {
  const name = `${outcome.service ?? '-'}.${outcome.operation ?? '-'}`;
  const message = `${name} => ${status}${outcome.errorCode ? ` ${outcome.errorCode}` : ''}`;
  const fields = { requestId, ...outcome, status, durationMs: Math.round(ms * 100) / 100 };
  if (status >= 500) logger.error(fields, message);
  else logger.info(fields, message);
}
