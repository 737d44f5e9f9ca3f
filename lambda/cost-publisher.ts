import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { runCostJob } from '../lib/jobs/cost';
import { COST_EXPLORER_REGION } from '../lib/sources/aws-clients';
import { createPublisherHandler } from './shared/publisher-handler';

export const handler = createPublisherHandler('cost', ({ traced, clientOptions }) => {
  const ce = traced(new CostExplorerClient(clientOptions({ region: COST_EXPLORER_REGION })));
  return (ctx) => runCostJob(ctx, { ce });
});
