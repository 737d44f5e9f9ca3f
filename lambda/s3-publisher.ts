import { S3Client } from '@aws-sdk/client-s3';
import { runS3Job } from '../lib/jobs/s3';
import { createPublisherHandler } from './shared/publisher-handler';

export const handler = createPublisherHandler('s3', ({ traced, clientOptions }) => {
  const s3 = traced(new S3Client(clientOptions()));
  return (ctx) => runS3Job(ctx, { s3 });
});
