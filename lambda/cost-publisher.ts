import { BudgetsClient } from '@aws-sdk/client-budgets';
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { COST_BUDGET_ACCOUNT_ENV, COST_BUDGET_NAME_ENV, runCostJob } from '../lib/jobs/cost';
import { BUDGETS_REGION, COST_EXPLORER_REGION } from '../lib/sources/aws-clients';
import { createPublisherHandler } from './shared/publisher-handler';

export const handler = createPublisherHandler('cost', ({ traced, clientOptions }) => {
  const budgets = traced(new BudgetsClient(clientOptions({ region: BUDGETS_REGION })));
  const ce = traced(new CostExplorerClient(clientOptions({ region: COST_EXPLORER_REGION })));
  const accountId = process.env[COST_BUDGET_ACCOUNT_ENV] ?? '';
  const budgetName = process.env[COST_BUDGET_NAME_ENV] ?? '';
  return (ctx) => runCostJob(ctx, { budgets, ce, accountId, budgetName });
});
