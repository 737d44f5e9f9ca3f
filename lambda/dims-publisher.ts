import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { S3Client } from '@aws-sdk/client-s3';
import { runDimsJob } from '../lib/jobs/dims';
import { createPublisherHandler } from './shared/publisher-handler';

// Drift compares with the S3 publisher's latest count of the data-lake bucket (read from CloudWatch).
export const handler = createPublisherHandler('dims', ({ traced, clientOptions }) => {
  const s3 = traced(new S3Client(clientOptions()));
  const cloudWatch = traced(new CloudWatchClient(clientOptions()));
  return (ctx) => runDimsJob(ctx, { s3, cloudWatch });
});
