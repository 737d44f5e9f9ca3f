/** The custom resource type of the Cost Anomaly Detection alerts in the template (CDK-free: the cost model and preflight read it). */
export const COST_ANOMALY_ALERTS_TYPE = 'Custom::CostAnomalyAlerts';
