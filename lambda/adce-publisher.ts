import { S3Client } from '@aws-sdk/client-s3';
import { runAdceJob } from '../lib/jobs/adce';
import { ADCE_CURSOR_BUCKET_ENV, ADCE_CURSOR_KEY, ADCE_CURSOR_KEY_ENV, S3CursorStore } from '../lib/jobs/adce-cursor';
import { createPublisherHandler } from './shared/publisher-handler';

export const handler = createPublisherHandler('adce', ({ traced, clientOptions }) => {
  const s3 = traced(new S3Client(clientOptions()));
  const cursorBucket = process.env[ADCE_CURSOR_BUCKET_ENV];
  if (!cursorBucket) throw new Error(`${ADCE_CURSOR_BUCKET_ENV} is not set: the ADCE publisher needs its cursor bucket`);
  const cursor = new S3CursorStore(s3, cursorBucket, process.env[ADCE_CURSOR_KEY_ENV] ?? ADCE_CURSOR_KEY);
  return (ctx) => runAdceJob(ctx, { s3, cursor });
});
