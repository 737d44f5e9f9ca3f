import { S3Client } from '@aws-sdk/client-s3';
import { sourceBucket } from '../lib/config/load';
import { runAdceJob } from '../lib/jobs/adce';
import { S3CursorStore } from '../lib/jobs/adce-cursor';
import { createPublisherHandler } from './shared/publisher-handler';

/** Where the ADCE cursor lives: set by the ScheduledPublisher construct. */
export const CURSOR_BUCKET_ENV = 'ADCE_CURSOR_BUCKET';
export const CURSOR_KEY_ENV = 'ADCE_CURSOR_KEY';

export const handler = createPublisherHandler('adce', ({ config, traced }) => {
  const s3 = traced(new S3Client({}));
  const cursorBucket = process.env[CURSOR_BUCKET_ENV];
  if (!cursorBucket) throw new Error(`${CURSOR_BUCKET_ENV} is not set: the ADCE publisher needs its cursor bucket`);
  const cursor = new S3CursorStore(s3, cursorBucket, process.env[CURSOR_KEY_ENV] ?? 'adce/cursor.json');
  return (ctx) => runAdceJob(ctx, { s3, bucket: sourceBucket(config, 'adce'), cursor });
});
