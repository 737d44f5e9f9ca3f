import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { COST_EXPLORER_REGION, runCostJob } from '../lib/jobs/cost';
import { createPublisherHandler } from './shared/publisher-handler';

export const handler = createPublisherHandler('cost', ({ traced, clientOptions }) => {
  const ce = traced(new CostExplorerClient(clientOptions({ region: COST_EXPLORER_REGION })));
  return (ctx) => runCostJob(ctx, { ce });
});
