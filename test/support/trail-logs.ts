import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

/** One delivered object: its key, its gunzipped JSON (bytes and text) and its user metadata. */
export interface DeliveredObject {
  readonly key: string;
  readonly bytes: Buffer;
  readonly text: string;
  readonly metadata: Record<string, string>;
}

/** Every object under `prefix` in the bucket, gunzipped, in key order. */
export async function readDelivered(
  s3: S3Client,
  bucket: string,
  prefix: string,
): Promise<DeliveredObject[]> {
  const objects: DeliveredObject[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const entry of page.Contents ?? []) {
      const key = entry.Key ?? '';
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const bytes = Buffer.from(await (got.Body?.transformToByteArray() ?? new Uint8Array()));
      const json = gunzipSync(bytes);
      objects.push({ key, bytes: json, text: json.toString('utf8'), metadata: got.Metadata ?? {} });
    }
    token = page.NextContinuationToken;
  } while (token);
  return objects;
}

/** The records of every delivered log file under `prefix`. */
export async function deliveredRecords(
  s3: S3Client,
  bucket: string,
  prefix: string,
): Promise<Record<string, unknown>[]> {
  const files = await readDelivered(s3, bucket, prefix);
  return files.flatMap(
    (file) => (JSON.parse(file.text) as { Records: Record<string, unknown>[] }).Records,
  );
}
