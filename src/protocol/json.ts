import type { AuthFailure } from '../auth/errors.js';
import { prepareJsonOutput } from '../model/encode.js';
import type { ServiceModel } from '../model/service-model.js';
import { decodeInput } from '../model/validate.js';
import { SerializationException, UnknownOperationException } from './common-errors.js';
import { AwsError } from './errors.js';
import type { Protocol, ProtocolRequest, ProtocolResponse } from './protocol.js';

const CONTENT_TYPE = 'application/x-amz-json-1.1';

/** AWS JSON 1.1 (ECS, CloudTrail): `X-Amz-Target: <prefix>.<Operation>`, a JSON body. */
export const json11: Protocol = {
  operation(model: ServiceModel, request: ProtocolRequest): string {
    return targetOperation(model, request.headers['x-amz-target']);
  },

  rawInput(request: ProtocolRequest): unknown {
    return parseBody(request.body);
  },

  decodeInput: decodeInput,

  encodeOutput(model, operation, output, requestId): ProtocolResponse {
    const body = JSON.stringify(prepareJsonOutput(model, operation, output) ?? {});
    return { status: 200, headers: jsonHeaders(requestId), body };
  },

  encodeError(error: AwsError, requestId: string): ProtocolResponse {
    const body = JSON.stringify({ __type: error.code, message: error.message });
    return {
      status: error.status,
      headers: { ...jsonHeaders(requestId), 'x-amzn-ErrorType': error.code },
      body,
    };
  },

  authError(failure: AuthFailure): AwsError {
    return new AwsError(JSON_AUTH_CODES[failure.kind], failure.message, 400);
  },
};

/** The codes AWS JSON services answer each kind of failed authentication with. */
const JSON_AUTH_CODES: Record<AuthFailure['kind'], string> = {
  missing: 'MissingAuthenticationTokenException',
  incomplete: 'IncompleteSignatureException',
  unknownKey: 'UnrecognizedClientException',
  badSignature: 'InvalidSignatureException',
  expired: 'InvalidSignatureException',
  notYetValid: 'InvalidSignatureException',
  badScope: 'InvalidSignatureException',
};

function jsonHeaders(requestId: string): Record<string, string> {
  return { 'content-type': CONTENT_TYPE, 'x-amzn-RequestId': requestId };
}

function targetOperation(model: ServiceModel, header: string | string[] | undefined): string {
  const target = Array.isArray(header) ? header[0] : header;
  if (!target) throw new UnknownOperationException();

  const dot = target.lastIndexOf('.');
  const prefix = target.slice(0, dot);
  const operation = target.slice(dot + 1);
  if (
    dot < 0 ||
    !targetPrefixes(model).includes(prefix) ||
    !Object.hasOwn(model.operations, operation)
  ) {
    throw new UnknownOperationException();
  }
  return operation;
}

/**
 * botocore sends the model's full target prefix (`com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101`);
 * Smithy-built SDKs send only the service shape's name (`CloudTrail_20131101`). AWS accepts both.
 */
function targetPrefixes(model: ServiceModel): string[] {
  const full = model.metadata.targetPrefix ?? '';
  return [full, full.slice(full.lastIndexOf('.') + 1)];
}

function parseBody(body: Buffer): unknown {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new SerializationException('The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SerializationException('The request body must be a JSON object.');
  }
  return parsed;
}
