import type { StsOperations } from '../../model/generated/sts.js';
import { loadServiceModel } from '../../model/service-model.js';
import { formatViolations, type Violation } from '../../model/validate.js';
import { AwsError } from '../../protocol/errors.js';
import { notBuilt, type OperationTable, type ServiceDefinition } from '../service.js';
import { getCallerIdentity } from './caller-identity.js';

/** Every STS operation of the model; the compiler rejects a missing one. */
const operations: OperationTable<StsOperations> = {
  AssumeRole: notBuilt,
  AssumeRoleWithSAML: notBuilt,
  AssumeRoleWithWebIdentity: notBuilt,
  AssumeRoot: notBuilt,
  DecodeAuthorizationMessage: notBuilt,
  GetAccessKeyInfo: notBuilt,
  GetCallerIdentity: getCallerIdentity,
  GetDelegatedAccessToken: notBuilt,
  GetFederationToken: notBuilt,
  GetSessionToken: notBuilt,
  GetWebIdentityToken: notBuilt,
};

/** AWS Security Token Service (Query protocol, signing name `sts`). */
export const stsService: ServiceDefinition = {
  signingName: 'sts',
  eventSource: 'sts.amazonaws.com',
  model: loadServiceModel('sts'),
  operations,
  recordMemberCase: 'lowerCamel',
  validationError: (_operation: string, violations: Violation[]) =>
    new AwsError('ValidationError', formatViolations(violations), 400),
};
