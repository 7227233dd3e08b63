import type { CloudtrailOperations } from '../../model/generated/cloudtrail.js';
import { loadServiceModel } from '../../model/service-model.js';
import { formatViolations, type Violation } from '../../model/validate.js';
import type { AwsError } from '../../protocol/errors.js';
import { notBuilt, type OperationTable, type ServiceDefinition } from '../service.js';
import {
  InvalidEventCategoryException,
  InvalidLookupAttributesException,
  InvalidMaxResultsException,
  InvalidNextTokenException,
  InvalidParameterException,
} from './errors.js';
import { lookupEvents } from './event-history.js';

/** Every CloudTrail operation of the model; the compiler rejects a missing one. */
const operations: OperationTable<CloudtrailOperations> = {
  AddTags: notBuilt,
  CancelQuery: notBuilt,
  CreateChannel: notBuilt,
  CreateDashboard: notBuilt,
  CreateEventDataStore: notBuilt,
  CreateTrail: notBuilt,
  DeleteChannel: notBuilt,
  DeleteDashboard: notBuilt,
  DeleteEventDataStore: notBuilt,
  DeleteResourcePolicy: notBuilt,
  DeleteTrail: notBuilt,
  DeregisterOrganizationDelegatedAdmin: notBuilt,
  DescribeQuery: notBuilt,
  DescribeTrails: notBuilt,
  DisableFederation: notBuilt,
  EnableFederation: notBuilt,
  GenerateQuery: notBuilt,
  GetChannel: notBuilt,
  GetDashboard: notBuilt,
  GetEventConfiguration: notBuilt,
  GetEventDataStore: notBuilt,
  GetEventSelectors: notBuilt,
  GetImport: notBuilt,
  GetInsightSelectors: notBuilt,
  GetQueryResults: notBuilt,
  GetResourcePolicy: notBuilt,
  GetTrail: notBuilt,
  GetTrailStatus: notBuilt,
  ListChannels: notBuilt,
  ListDashboards: notBuilt,
  ListEventDataStores: notBuilt,
  ListImportFailures: notBuilt,
  ListImports: notBuilt,
  ListInsightsData: notBuilt,
  ListInsightsMetricData: notBuilt,
  ListPublicKeys: notBuilt,
  ListQueries: notBuilt,
  ListTags: notBuilt,
  ListTrails: notBuilt,
  LookupEvents: lookupEvents,
  PutEventConfiguration: notBuilt,
  PutEventSelectors: notBuilt,
  PutInsightSelectors: notBuilt,
  PutResourcePolicy: notBuilt,
  RegisterOrganizationDelegatedAdmin: notBuilt,
  RemoveTags: notBuilt,
  RestoreEventDataStore: notBuilt,
  SearchSampleQueries: notBuilt,
  StartDashboardRefresh: notBuilt,
  StartEventDataStoreIngestion: notBuilt,
  StartImport: notBuilt,
  StartLogging: notBuilt,
  StartQuery: notBuilt,
  StopEventDataStoreIngestion: notBuilt,
  StopImport: notBuilt,
  StopLogging: notBuilt,
  UpdateChannel: notBuilt,
  UpdateDashboard: notBuilt,
  UpdateEventDataStore: notBuilt,
  UpdateTrail: notBuilt,
};

/** The shapes whose violations CloudTrail reports with an error of their own. */
const SHAPE_ERRORS: Record<string, new (message: string) => AwsError> = {
  LookupAttributesList: InvalidLookupAttributesException,
  LookupAttribute: InvalidLookupAttributesException,
  LookupAttributeKey: InvalidLookupAttributesException,
  LookupAttributeValue: InvalidLookupAttributesException,
  MaxResults: InvalidMaxResultsException,
  EventCategory: InvalidEventCategoryException,
  NextToken: InvalidNextTokenException,
};

function validationError(_operation: string, violations: Violation[]): AwsError {
  const specific = violations.map((v) => SHAPE_ERRORS[v.shape]).find((type) => type !== undefined);
  const ErrorType = specific ?? InvalidParameterException;
  return new ErrorType(formatViolations(violations));
}

/** AWS CloudTrail (JSON 1.1, signing name `cloudtrail`). */
export const cloudtrailService: ServiceDefinition = {
  signingName: 'cloudtrail',
  eventSource: 'cloudtrail.amazonaws.com',
  model: loadServiceModel('cloudtrail'),
  operations,
  recordMemberCase: 'lowerCamel',
  validationError,
};
