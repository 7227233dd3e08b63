/**
 * Input and output types of the S3 operations fedgate serves, written by hand from the S3
 * model (models/s3.json): only the members these operations read or answer. Operations not
 * served are typed `unknown`.
 */

/** The owner element S3 writes in listings. */
export interface Owner {
  ID?: string;
  DisplayName?: string;
}

/** CreateBucket. */
export interface CreateBucketRequest {
  Bucket: string;
  CreateBucketConfiguration?: { LocationConstraint?: string };
  ACL?: string;
}
/** CreateBucket's answer. */
export interface CreateBucketOutput {
  Location?: string;
  BucketArn?: string;
}

/** Any call naming just a bucket (HeadBucket, DeleteBucket, Get/DeleteBucketPolicy…). */
export interface BucketRequest {
  Bucket: string;
  ExpectedBucketOwner?: string;
}
/** HeadBucket's answer. */
export interface HeadBucketOutput {
  BucketRegion?: string;
  BucketArn?: string;
}

/** ListBuckets. */
export interface ListBucketsRequest {
  MaxBuckets?: number;
  ContinuationToken?: string;
  Prefix?: string;
  BucketRegion?: string;
}
/** ListBuckets' answer. */
export interface ListBucketsOutput {
  Buckets: { Name: string; CreationDate: Date; BucketRegion: string }[];
  Owner: Owner;
  Prefix?: string;
}

/** GetBucketLocation's answer: empty for us-east-1. */
export interface GetBucketLocationOutput {
  LocationConstraint?: string;
}

/** PutBucketPolicy. */
export interface PutBucketPolicyRequest extends BucketRequest {
  Policy?: string;
  ContentMD5?: string;
}
/** GetBucketPolicy's answer. */
export interface GetBucketPolicyOutput {
  Policy: string;
}

/** The checksum headers S3 accepts with a body (base64 digests). */
export interface ChecksumMembers {
  ChecksumCRC32?: string;
  ChecksumCRC32C?: string;
  ChecksumSHA1?: string;
  ChecksumSHA256?: string;
}

/** PutObject. */
export interface PutObjectRequest extends ChecksumMembers {
  Bucket: string;
  Key: string;
  Body?: Buffer;
  ContentType?: string;
  ContentEncoding?: string;
  ContentMD5?: string;
  Metadata?: Record<string, string>;
}
/** PutObject's answer. */
export interface PutObjectOutput extends ChecksumMembers {
  ETag: string;
}

/** GetObject and HeadObject. */
export interface GetObjectRequest {
  Bucket: string;
  Key: string;
  Range?: string;
  PartNumber?: number;
  IfMatch?: string;
  IfNoneMatch?: string;
  IfModifiedSince?: Date;
  IfUnmodifiedSince?: Date;
  ResponseContentType?: string;
  ResponseContentEncoding?: string;
}
/** HeadObject's answer (GetObject's, without the body). */
export interface HeadObjectOutput {
  AcceptRanges: string;
  LastModified: Date;
  ContentLength: number;
  ETag: string;
  ContentType: string;
  ContentEncoding?: string;
  ContentRange?: string;
  Metadata?: Record<string, string>;
}
/** GetObject's answer. */
export interface GetObjectOutput extends HeadObjectOutput {
  Body: Buffer;
}

/** DeleteObject. */
export interface ObjectRequest {
  Bucket: string;
  Key: string;
}

/** One object in a listing. */
export interface ListedObject {
  Key: string;
  LastModified: Date;
  ETag: string;
  Size: number;
  StorageClass: string;
  Owner?: Owner;
}

/** ListObjects (v1). */
export interface ListObjectsRequest {
  Bucket: string;
  Delimiter?: string;
  EncodingType?: string;
  Marker?: string;
  MaxKeys?: number;
  Prefix?: string;
}
/** ListObjects' answer. */
export interface ListObjectsOutput {
  IsTruncated: boolean;
  Marker: string;
  NextMarker?: string;
  Contents?: ListedObject[];
  Name: string;
  Prefix: string;
  Delimiter?: string;
  MaxKeys: number;
  CommonPrefixes?: { Prefix: string }[];
  EncodingType?: string;
}

/** ListObjectsV2. */
export interface ListObjectsV2Request {
  Bucket: string;
  Delimiter?: string;
  EncodingType?: string;
  MaxKeys?: number;
  Prefix?: string;
  ContinuationToken?: string;
  FetchOwner?: boolean;
  StartAfter?: string;
}
/** ListObjectsV2's answer. */
export interface ListObjectsV2Output {
  IsTruncated: boolean;
  Contents?: ListedObject[];
  Name: string;
  Prefix: string;
  Delimiter?: string;
  MaxKeys: number;
  CommonPrefixes?: { Prefix: string }[];
  EncodingType?: string;
  KeyCount: number;
  ContinuationToken?: string;
  NextContinuationToken?: string;
  StartAfter?: string;
}

/** CreateMultipartUpload. */
export interface CreateMultipartUploadRequest {
  Bucket: string;
  Key: string;
  ContentType?: string;
  ContentEncoding?: string;
  Metadata?: Record<string, string>;
}
/** CreateMultipartUpload's answer. */
export interface CreateMultipartUploadOutput {
  Bucket: string;
  Key: string;
  UploadId: string;
}

/** UploadPart. */
export interface UploadPartRequest extends ChecksumMembers {
  Bucket: string;
  Key: string;
  PartNumber: number;
  UploadId: string;
  Body?: Buffer;
  ContentMD5?: string;
}
/** UploadPart's answer. */
export interface UploadPartOutput {
  ETag: string;
}

/** CompleteMultipartUpload. */
export interface CompleteMultipartUploadRequest {
  Bucket: string;
  Key: string;
  UploadId: string;
  MultipartUpload?: { Parts?: { PartNumber?: number; ETag?: string }[] };
}
/** CompleteMultipartUpload's answer. */
export interface CompleteMultipartUploadOutput {
  Location: string;
  Bucket: string;
  Key: string;
  ETag: string;
}

/** AbortMultipartUpload. */
export interface AbortMultipartUploadRequest {
  Bucket: string;
  Key: string;
  UploadId: string;
}

type Op<I, O> = { input: I; output: O };

/** The operations fedgate does not serve yet. */
type UnservedOperation =
  | 'CopyObject'
  | 'CreateBucketMetadataConfiguration'
  | 'CreateBucketMetadataTableConfiguration'
  | 'CreateSession'
  | 'DeleteBucketAnalyticsConfiguration'
  | 'DeleteBucketCors'
  | 'DeleteBucketEncryption'
  | 'DeleteBucketIntelligentTieringConfiguration'
  | 'DeleteBucketInventoryConfiguration'
  | 'DeleteBucketLifecycle'
  | 'DeleteBucketMetadataConfiguration'
  | 'DeleteBucketMetadataTableConfiguration'
  | 'DeleteBucketMetricsConfiguration'
  | 'DeleteBucketOwnershipControls'
  | 'DeleteBucketReplication'
  | 'DeleteBucketTagging'
  | 'DeleteBucketWebsite'
  | 'DeleteObjectAnnotation'
  | 'DeleteObjectTagging'
  | 'DeleteObjects'
  | 'DeletePublicAccessBlock'
  | 'GetBucketAbac'
  | 'GetBucketAccelerateConfiguration'
  | 'GetBucketAcl'
  | 'GetBucketAnalyticsConfiguration'
  | 'GetBucketCors'
  | 'GetBucketEncryption'
  | 'GetBucketIntelligentTieringConfiguration'
  | 'GetBucketInventoryConfiguration'
  | 'GetBucketLifecycle'
  | 'GetBucketLifecycleConfiguration'
  | 'GetBucketLogging'
  | 'GetBucketMetadataConfiguration'
  | 'GetBucketMetadataTableConfiguration'
  | 'GetBucketMetricsConfiguration'
  | 'GetBucketNotification'
  | 'GetBucketNotificationConfiguration'
  | 'GetBucketOwnershipControls'
  | 'GetBucketPolicyStatus'
  | 'GetBucketReplication'
  | 'GetBucketRequestPayment'
  | 'GetBucketTagging'
  | 'GetBucketVersioning'
  | 'GetBucketWebsite'
  | 'GetObjectAcl'
  | 'GetObjectAnnotation'
  | 'GetObjectAttributes'
  | 'GetObjectLegalHold'
  | 'GetObjectLockConfiguration'
  | 'GetObjectRetention'
  | 'GetObjectTagging'
  | 'GetObjectTorrent'
  | 'GetPublicAccessBlock'
  | 'ListBucketAnalyticsConfigurations'
  | 'ListBucketIntelligentTieringConfigurations'
  | 'ListBucketInventoryConfigurations'
  | 'ListBucketMetricsConfigurations'
  | 'ListDirectoryBuckets'
  | 'ListMultipartUploads'
  | 'ListObjectAnnotations'
  | 'ListObjectVersions'
  | 'ListParts'
  | 'PutBucketAbac'
  | 'PutBucketAccelerateConfiguration'
  | 'PutBucketAcl'
  | 'PutBucketAnalyticsConfiguration'
  | 'PutBucketCors'
  | 'PutBucketEncryption'
  | 'PutBucketIntelligentTieringConfiguration'
  | 'PutBucketInventoryConfiguration'
  | 'PutBucketLifecycle'
  | 'PutBucketLifecycleConfiguration'
  | 'PutBucketLogging'
  | 'PutBucketMetricsConfiguration'
  | 'PutBucketNotification'
  | 'PutBucketNotificationConfiguration'
  | 'PutBucketOwnershipControls'
  | 'PutBucketReplication'
  | 'PutBucketRequestPayment'
  | 'PutBucketTagging'
  | 'PutBucketVersioning'
  | 'PutBucketWebsite'
  | 'PutObjectAcl'
  | 'PutObjectAnnotation'
  | 'PutObjectLegalHold'
  | 'PutObjectLockConfiguration'
  | 'PutObjectRetention'
  | 'PutObjectTagging'
  | 'PutPublicAccessBlock'
  | 'RenameObject'
  | 'RestoreObject'
  | 'SelectObjectContent'
  | 'UpdateBucketMetadataAnnotationTableConfiguration'
  | 'UpdateBucketMetadataInventoryTableConfiguration'
  | 'UpdateBucketMetadataJournalTableConfiguration'
  | 'UpdateObjectEncryption'
  | 'UploadPartCopy'
  | 'WriteGetObjectResponse';

/** Every S3 operation of the model with its input and output. */
export type S3Operations = {
  [K in UnservedOperation]: Op<unknown, unknown>;
} & {
  AbortMultipartUpload: Op<AbortMultipartUploadRequest, Record<string, never>>;
  CompleteMultipartUpload: Op<CompleteMultipartUploadRequest, CompleteMultipartUploadOutput>;
  CreateBucket: Op<CreateBucketRequest, CreateBucketOutput>;
  CreateMultipartUpload: Op<CreateMultipartUploadRequest, CreateMultipartUploadOutput>;
  DeleteBucket: Op<BucketRequest, Record<string, never>>;
  DeleteBucketPolicy: Op<BucketRequest, Record<string, never>>;
  DeleteObject: Op<ObjectRequest, Record<string, never>>;
  GetBucketLocation: Op<BucketRequest, GetBucketLocationOutput>;
  GetBucketPolicy: Op<BucketRequest, GetBucketPolicyOutput>;
  GetObject: Op<GetObjectRequest, GetObjectOutput>;
  HeadBucket: Op<BucketRequest, HeadBucketOutput>;
  HeadObject: Op<GetObjectRequest, HeadObjectOutput>;
  ListBuckets: Op<ListBucketsRequest, ListBucketsOutput>;
  ListObjects: Op<ListObjectsRequest, ListObjectsOutput>;
  ListObjectsV2: Op<ListObjectsV2Request, ListObjectsV2Output>;
  PutBucketPolicy: Op<PutBucketPolicyRequest, Record<string, never>>;
  PutObject: Op<PutObjectRequest, PutObjectOutput>;
  UploadPart: Op<UploadPartRequest, UploadPartOutput>;
};
