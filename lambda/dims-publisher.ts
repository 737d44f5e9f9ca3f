import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { S3Client } from '@aws-sdk/client-s3';
import { sourceBucket } from '../lib/config/load';
import { runDimsJob } from '../lib/jobs/dims';
import { latestS3ObjectCount } from '../lib/sources/live-count';
import { createPublisherHandler } from './shared/publisher-handler';

export const handler = createPublisherHandler('dims', ({ config, traced }) => {
  const s3 = traced(new S3Client({}));
  const cloudWatch = traced(new CloudWatchClient({}));
  return (ctx) =>
    runDimsJob(ctx, {
      s3,
      bucket: sourceBucket(config, 'dims'),
      // Drift compares with the S3 publisher's latest count of the data-lake bucket.
      liveCount: () => latestS3ObjectCount({ cloudWatch, catalog: ctx.catalog, bucket: sourceBucket(config, 's3'), now: ctx.now }),
    });
});
