import { loadServiceModel } from '../../model/service-model.js';
import type { Violation } from '../../model/validate.js';
import type { AwsError } from '../../protocol/errors.js';
import { MalformedXML } from '../../protocol/rest-xml.js';
import { notBuilt, type OperationTable, type ServiceDefinition } from '../service.js';
import { isS3DataEvent, s3DataEventTarget, s3RequestParameters } from './audit.js';
import {
  createBucket,
  deleteBucket,
  deleteBucketPolicy,
  getBucketLocation,
  getBucketPolicy,
  headBucket,
  listBuckets,
  putBucketPolicy,
} from './buckets.js';
import { InvalidArgument } from './errors.js';
import { listObjects, listObjectsV2 } from './list-objects.js';
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  uploadPart,
} from './multipart.js';
import { deleteObjectOp, getObjectOp, headObject, putObjectOp } from './objects.js';
import type { S3Operations } from './types.js';

/** Every S3 operation of the model; the compiler rejects a missing one. */
const operations: OperationTable<S3Operations> = {
  AbortMultipartUpload: abortMultipartUpload,
  CompleteMultipartUpload: completeMultipartUpload,
  CopyObject: notBuilt,
  CreateBucket: createBucket,
  CreateBucketMetadataConfiguration: notBuilt,
  CreateBucketMetadataTableConfiguration: notBuilt,
  CreateMultipartUpload: createMultipartUpload,
  CreateSession: notBuilt,
  DeleteBucket: deleteBucket,
  DeleteBucketAnalyticsConfiguration: notBuilt,
  DeleteBucketCors: notBuilt,
  DeleteBucketEncryption: notBuilt,
  DeleteBucketIntelligentTieringConfiguration: notBuilt,
  DeleteBucketInventoryConfiguration: notBuilt,
  DeleteBucketLifecycle: notBuilt,
  DeleteBucketMetadataConfiguration: notBuilt,
  DeleteBucketMetadataTableConfiguration: notBuilt,
  DeleteBucketMetricsConfiguration: notBuilt,
  DeleteBucketOwnershipControls: notBuilt,
  DeleteBucketPolicy: deleteBucketPolicy,
  DeleteBucketReplication: notBuilt,
  DeleteBucketTagging: notBuilt,
  DeleteBucketWebsite: notBuilt,
  DeleteObject: deleteObjectOp,
  DeleteObjectAnnotation: notBuilt,
  DeleteObjectTagging: notBuilt,
  DeleteObjects: notBuilt,
  DeletePublicAccessBlock: notBuilt,
  GetBucketAbac: notBuilt,
  GetBucketAccelerateConfiguration: notBuilt,
  GetBucketAcl: notBuilt,
  GetBucketAnalyticsConfiguration: notBuilt,
  GetBucketCors: notBuilt,
  GetBucketEncryption: notBuilt,
  GetBucketIntelligentTieringConfiguration: notBuilt,
  GetBucketInventoryConfiguration: notBuilt,
  GetBucketLifecycle: notBuilt,
  GetBucketLifecycleConfiguration: notBuilt,
  GetBucketLocation: getBucketLocation,
  GetBucketLogging: notBuilt,
  GetBucketMetadataConfiguration: notBuilt,
  GetBucketMetadataTableConfiguration: notBuilt,
  GetBucketMetricsConfiguration: notBuilt,
  GetBucketNotification: notBuilt,
  GetBucketNotificationConfiguration: notBuilt,
  GetBucketOwnershipControls: notBuilt,
  GetBucketPolicy: getBucketPolicy,
  GetBucketPolicyStatus: notBuilt,
  GetBucketReplication: notBuilt,
  GetBucketRequestPayment: notBuilt,
  GetBucketTagging: notBuilt,
  GetBucketVersioning: notBuilt,
  GetBucketWebsite: notBuilt,
  GetObject: getObjectOp,
  GetObjectAcl: notBuilt,
  GetObjectAnnotation: notBuilt,
  GetObjectAttributes: notBuilt,
  GetObjectLegalHold: notBuilt,
  GetObjectLockConfiguration: notBuilt,
  GetObjectRetention: notBuilt,
  GetObjectTagging: notBuilt,
  GetObjectTorrent: notBuilt,
  GetPublicAccessBlock: notBuilt,
  HeadBucket: headBucket,
  HeadObject: headObject,
  ListBucketAnalyticsConfigurations: notBuilt,
  ListBucketIntelligentTieringConfigurations: notBuilt,
  ListBucketInventoryConfigurations: notBuilt,
  ListBucketMetricsConfigurations: notBuilt,
  ListBuckets: listBuckets,
  ListDirectoryBuckets: notBuilt,
  ListMultipartUploads: notBuilt,
  ListObjectAnnotations: notBuilt,
  ListObjectVersions: notBuilt,
  ListObjects: listObjects,
  ListObjectsV2: listObjectsV2,
  ListParts: notBuilt,
  PutBucketAbac: notBuilt,
  PutBucketAccelerateConfiguration: notBuilt,
  PutBucketAcl: notBuilt,
  PutBucketAnalyticsConfiguration: notBuilt,
  PutBucketCors: notBuilt,
  PutBucketEncryption: notBuilt,
  PutBucketIntelligentTieringConfiguration: notBuilt,
  PutBucketInventoryConfiguration: notBuilt,
  PutBucketLifecycle: notBuilt,
  PutBucketLifecycleConfiguration: notBuilt,
  PutBucketLogging: notBuilt,
  PutBucketMetricsConfiguration: notBuilt,
  PutBucketNotification: notBuilt,
  PutBucketNotificationConfiguration: notBuilt,
  PutBucketOwnershipControls: notBuilt,
  PutBucketPolicy: putBucketPolicy,
  PutBucketReplication: notBuilt,
  PutBucketRequestPayment: notBuilt,
  PutBucketTagging: notBuilt,
  PutBucketVersioning: notBuilt,
  PutBucketWebsite: notBuilt,
  PutObject: putObjectOp,
  PutObjectAcl: notBuilt,
  PutObjectAnnotation: notBuilt,
  PutObjectLegalHold: notBuilt,
  PutObjectLockConfiguration: notBuilt,
  PutObjectRetention: notBuilt,
  PutObjectTagging: notBuilt,
  PutPublicAccessBlock: notBuilt,
  RenameObject: notBuilt,
  RestoreObject: notBuilt,
  SelectObjectContent: notBuilt,
  UpdateBucketMetadataAnnotationTableConfiguration: notBuilt,
  UpdateBucketMetadataInventoryTableConfiguration: notBuilt,
  UpdateBucketMetadataJournalTableConfiguration: notBuilt,
  UpdateObjectEncryption: notBuilt,
  UploadPart: uploadPart,
  UploadPartCopy: notBuilt,
  WriteGetObjectResponse: notBuilt,
};

/**
 * S3 reports a bad header or query value as InvalidArgument naming it, and a body that does
 * not fit the operation's document as MalformedXML.
 */
function validationError(_operation: string, violations: Violation[]): AwsError {
  const first = violations[0];
  if (first?.constraint === 'required' && first.path !== 'Bucket' && first.path !== 'Key') {
    return new MalformedXML();
  }
  const value = first?.value === undefined ? '' : String(first.value);
  return new InvalidArgument(first?.message ?? 'Invalid Argument', first?.path, value);
}

/** Amazon S3 (REST-XML, signing name `s3`), with buckets and objects in fedgate's store. */
export const s3Service: ServiceDefinition = {
  signingName: 's3',
  eventSource: 's3.amazonaws.com',
  model: loadServiceModel('s3'),
  operations,
  recordMemberCase: 'asIs',
  validationError,
  isDataEvent: isS3DataEvent,
  dataEventTarget: s3DataEventTarget,
  recordRequestParameters: s3RequestParameters,
  recordsResponseElements: false,
};
