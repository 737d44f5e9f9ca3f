import {
  type AnomalyMonitor,
  CreateAnomalyMonitorCommand,
  CreateAnomalySubscriptionCommand,
  type CostExplorerClient,
  DeleteAnomalySubscriptionCommand,
  type Expression,
  GetAnomalyMonitorsCommand,
  UpdateAnomalySubscriptionCommand,
} from '@aws-sdk/client-cost-explorer';
import { awsErrorName, awsErrorText } from '../sources/aws-error';

/**
 * Cost Anomaly Detection alerts without `AWS::CE::*` resources: CloudFormation knows those types
 * only in us-east-1, and an account holds at most one AWS-services (DIMENSIONAL / SERVICE)
 * monitor, which AWS itself creates for many accounts, so creating one fails the deploy where it
 * exists. A deploy-time custom resource calls the Cost Explorer API (served from us-east-1 for
 * every region) instead: it finds the account's services monitor, creates it only when there is
 * none, and subscribes the alert topic to it.
 */

/** Cost Explorer's API endpoint region for the `aws` partition. */
/** GetAnomalyMonitors pages read at most (100 monitors each). */
const MAX_MONITOR_PAGES = 20;
/** Per-request deadline: every call stops in time, whatever the network does. */
const CALL_TIMEOUT_MS = 15_000;

export interface MonitorSummary {
  readonly arn: string;
  readonly name: string;
  readonly type: string;
  readonly dimension?: string;
}

/** Whether a monitor is the account's AWS-services monitor (at most one per account). */
export function isServicesMonitor(m: Pick<MonitorSummary, 'type' | 'dimension'>): boolean {
  return m.type === 'DIMENSIONAL' && m.dimension === 'SERVICE';
}

const summary = (m: AnomalyMonitor): MonitorSummary => ({ arn: m.MonitorArn ?? '', name: m.MonitorName ?? '', type: m.MonitorType ?? '', dimension: m.MonitorDimension });
const deadline = () => ({ abortSignal: AbortSignal.timeout(CALL_TIMEOUT_MS) });

/** Every anomaly monitor of the account (or the named ones), all pages up to a bound. */
export async function listMonitors(ce: CostExplorerClient, arns?: readonly string[]): Promise<MonitorSummary[]> {
  const out: MonitorSummary[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_MONITOR_PAGES; page++) {
    const res = await ce.send(new GetAnomalyMonitorsCommand({ MonitorArnList: arns ? [...arns] : undefined, NextPageToken: token, MaxResults: 100 }), deadline());
    out.push(...(res.AnomalyMonitors ?? []).map(summary));
    token = res.NextPageToken;
    if (!token) return out;
  }
  throw new Error(`GetAnomalyMonitors returned more than ${MAX_MONITOR_PAGES} pages; stopped.`);
}

export interface ResolvedMonitor extends MonitorSummary {
  /** `configured`: costAnomalyMonitorArn; `existing`: the account's services monitor; `created`: made now. */
  readonly origin: 'configured' | 'existing' | 'created';
}

/** The monitor to subscribe to: the configured one (must exist), else the services monitor, created under `createName` when there is none. */
export async function resolveMonitor(ce: CostExplorerClient, options: { configuredArn?: string; createName: string }): Promise<ResolvedMonitor> {
  if (options.configuredArn) {
    const found = await listMonitors(ce, [options.configuredArn]).catch((err: unknown) => {
      if (awsErrorName(err) === 'UnknownMonitorException') return [];
      throw err;
    });
    const monitor = found.find((m) => m.arn === options.configuredArn);
    if (!monitor) throw new Error(`costAnomalyMonitorArn ${options.configuredArn} is not a Cost Anomaly Detection monitor of this account.`);
    return { ...monitor, origin: 'configured' };
  }
  const existing = (await listMonitors(ce)).find(isServicesMonitor);
  if (existing) return { ...existing, origin: 'existing' };
  try {
    const created = await ce.send(
      new CreateAnomalyMonitorCommand({ AnomalyMonitor: { MonitorName: options.createName, MonitorType: 'DIMENSIONAL', MonitorDimension: 'SERVICE' } }),
      deadline(),
    );
    return { arn: created.MonitorArn!, name: options.createName, type: 'DIMENSIONAL', dimension: 'SERVICE', origin: 'created' };
  } catch (err) {
    // Another stack of the account (e.g. a second instance in the same deploy) created it first:
    // an account holds one services monitor, so a second creation fails ("Limit exceeded").
    const raced = (await listMonitors(ce)).find(isServicesMonitor);
    if (raced) return { ...raced, origin: 'existing' };
    throw err;
  }
}

/** The alert subscription's settings, as the custom resource passes them (strings, like CloudFormation). */
export interface AlertSubscriptionProps {
  readonly SubscriptionName: string;
  readonly TopicArn: string;
  /** Cost Anomaly Detection threshold expression, as JSON. */
  readonly ThresholdExpression: string;
  /** Name given to the services monitor when the account has none. */
  readonly MonitorName: string;
  /** costAnomalyMonitorArn; empty for "the account's services monitor". */
  readonly MonitorArn?: string;
}

/** The CloudFormation custom resource event fields this handler reads. */
export interface AlertSubscriptionEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: AlertSubscriptionProps & { readonly ServiceToken?: string };
}

export interface AlertSubscriptionResult {
  /** The subscription's ARN. */
  readonly PhysicalResourceId: string;
  readonly Data?: { readonly SubscriptionArn: string; readonly MonitorArn: string; readonly MonitorOrigin: ResolvedMonitor['origin'] };
}

const isSubscriptionArn = (id: string | undefined): id is string => /^arn:aws[a-z-]*:ce::\d{12}:anomalysubscription\//.test(id ?? '');

/**
 * Create / Update / Delete of the alert subscription (the custom resource's onEvent). Update
 * changes the subscription in place; Delete removes the subscription only: the monitor stays (it
 * is free, one per account, and may serve other subscriptions or be the one AWS created).
 */
export async function handleAlertSubscriptionEvent(event: AlertSubscriptionEvent, ce: CostExplorerClient, log: (line: string) => void = () => undefined): Promise<AlertSubscriptionResult> {
  const props = event.ResourceProperties;
  if (event.RequestType === 'Delete') {
    const arn = event.PhysicalResourceId;
    if (!isSubscriptionArn(arn)) {
      log(`nothing to delete: ${arn ?? '(no id)'} is not a subscription (its create had failed)`);
      return { PhysicalResourceId: arn ?? 'none' };
    }
    try {
      await ce.send(new DeleteAnomalySubscriptionCommand({ SubscriptionArn: arn }), deadline());
      log(`deleted subscription ${arn}; the monitor is kept`);
    } catch (err) {
      if (awsErrorName(err) !== 'UnknownSubscriptionException') throw new Error(`Deleting the anomaly subscription ${arn} failed: ${awsErrorText(err)}`);
      log(`subscription ${arn} was already gone`);
    }
    return { PhysicalResourceId: arn };
  }

  let threshold: Expression;
  try {
    threshold = JSON.parse(props.ThresholdExpression) as Expression;
  } catch (err) {
    throw new Error(`ThresholdExpression is not JSON: ${(err as Error).message}`);
  }
  const monitor = await resolveMonitor(ce, { configuredArn: props.MonitorArn || undefined, createName: props.MonitorName });
  log(`monitor ${monitor.arn} (${monitor.name}, ${monitor.origin})`);
  const settings = {
    SubscriptionName: props.SubscriptionName,
    MonitorArnList: [monitor.arn],
    Subscribers: [{ Type: 'SNS' as const, Address: props.TopicArn }],
    Frequency: 'IMMEDIATE' as const,
    ThresholdExpression: threshold,
  };
  const data = (arn: string) => ({ PhysicalResourceId: arn, Data: { SubscriptionArn: arn, MonitorArn: monitor.arn, MonitorOrigin: monitor.origin } });

  if (event.RequestType === 'Update' && isSubscriptionArn(event.PhysicalResourceId)) {
    try {
      await ce.send(new UpdateAnomalySubscriptionCommand({ SubscriptionArn: event.PhysicalResourceId, ...settings }), deadline());
      log(`updated subscription ${event.PhysicalResourceId}`);
      return data(event.PhysicalResourceId);
    } catch (err) {
      if (awsErrorName(err) !== 'UnknownSubscriptionException') throw new Error(`Updating the anomaly subscription failed: ${awsErrorText(err)}`);
      log(`subscription ${event.PhysicalResourceId} is gone (deleted by hand?): creating a new one`);
    }
  }
  const created = await ce.send(new CreateAnomalySubscriptionCommand({ AnomalySubscription: settings }), deadline()).catch((err: unknown) => {
    throw new Error(`Creating the anomaly subscription on ${monitor.arn} for ${props.TopicArn} failed: ${awsErrorText(err)}`);
  });
  log(`created subscription ${created.SubscriptionArn}`);
  return data(created.SubscriptionArn!);
}
