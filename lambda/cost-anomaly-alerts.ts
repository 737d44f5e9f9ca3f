import { Logger } from '@aws-lambda-powertools/logger';
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { type AlertSubscriptionEvent, type AlertSubscriptionResult, handleAlertSubscriptionEvent } from '../lib/cost-anomaly/alert-subscription';
import { COST_EXPLORER_REGION, clientConfig } from '../lib/sources/aws-clients';

/** Deploy-time custom resource (onEvent of the CDK Provider): the Cost Anomaly Detection alert subscription. */
const logger = new Logger({ serviceName: 'monitor-cost-anomaly-alerts' });
const ce = new CostExplorerClient(clientConfig({ region: COST_EXPLORER_REGION, maxAttempts: 4 }));

export const handler = async (event: AlertSubscriptionEvent): Promise<AlertSubscriptionResult> => {
  logger.info(`${event.RequestType} ${event.PhysicalResourceId ?? ''}`.trim(), { properties: { ...event.ResourceProperties, ServiceToken: undefined } });
  return handleAlertSubscriptionEvent(event, ce, (line) => logger.info(line));
};
