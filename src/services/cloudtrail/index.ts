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
import { getEventSelectors, putEventSelectors } from './event-selectors.js';
import { lookupEvents } from './event-history.js';
import { listPublicKeys } from './public-keys.js';
import { getTrailStatus, startLogging, stopLogging } from './trail-status.js';
import { addTags, listTags, removeTags } from './trail-tags.js';
import {
  createTrail,
  deleteTrail,
  describeTrails,
  getTrail,
  listTrails,
  updateTrail,
} from './trails.js';

/** Every CloudTrail operation of the model; the compiler rejects a missing one. */
const operations: OperationTable<CloudtrailOperations> = {
  AddTags: addTags,
  CancelQuery: notBuilt,
  CreateChannel: notBuilt,
  CreateDashboard: notBuilt,
  CreateEventDataStore: notBuilt,
  CreateTrail: createTrail,
  DeleteChannel: notBuilt,
  DeleteDashboard: notBuilt,
  DeleteEventDataStore: notBuilt,
  DeleteResourcePolicy: notBuilt,
  DeleteTrail: deleteTrail,
  DeregisterOrganizationDelegatedAdmin: notBuilt,
  DescribeQuery: notBuilt,
  DescribeTrails: describeTrails,
  DisableFederation: notBuilt,
  EnableFederation: notBuilt,
  GenerateQuery: notBuilt,
  GetChannel: notBuilt,
  GetDashboard: notBuilt,
  GetEventConfiguration: notBuilt,
  GetEventDataStore: notBuilt,
  GetEventSelectors: getEventSelectors,
  GetImport: notBuilt,
  GetInsightSelectors: notBuilt,
  GetQueryResults: notBuilt,
  GetResourcePolicy: notBuilt,
  GetTrail: getTrail,
  GetTrailStatus: getTrailStatus,
  ListChannels: notBuilt,
  ListDashboards: notBuilt,
  ListEventDataStores: notBuilt,
  ListImportFailures: notBuilt,
  ListImports: notBuilt,
  ListInsightsData: notBuilt,
  ListInsightsMetricData: notBuilt,
  ListPublicKeys: listPublicKeys,
  ListQueries: notBuilt,
  ListTags: listTags,
  ListTrails: listTrails,
  LookupEvents: lookupEvents,
  PutEventConfiguration: notBuilt,
  PutEventSelectors: putEventSelectors,
  PutInsightSelectors: notBuilt,
  PutResourcePolicy: notBuilt,
  RegisterOrganizationDelegatedAdmin: notBuilt,
  RemoveTags: removeTags,
  RestoreEventDataStore: notBuilt,
  SearchSampleQueries: notBuilt,
  StartDashboardRefresh: notBuilt,
  StartEventDataStoreIngestion: notBuilt,
  StartImport: notBuilt,
  StartLogging: startLogging,
  StartQuery: notBuilt,
  StopEventDataStoreIngestion: notBuilt,
  StopImport: notBuilt,
  StopLogging: stopLogging,
  UpdateChannel: notBuilt,
  UpdateDashboard: notBuilt,
  UpdateEventDataStore: notBuilt,
  UpdateTrail: updateTrail,
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
