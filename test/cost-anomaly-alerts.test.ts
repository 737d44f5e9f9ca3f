import {
  CostExplorerClient,
  CostExplorerServiceException,
  CreateAnomalyMonitorCommand,
  CreateAnomalySubscriptionCommand,
  DeleteAnomalySubscriptionCommand,
  GetAnomalyMonitorsCommand,
  UpdateAnomalySubscriptionCommand,
} from '@aws-sdk/client-cost-explorer';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { type AlertSubscriptionEvent, handleAlertSubscriptionEvent, isServicesMonitor } from '../lib/cost-anomaly/alert-subscription';
import { anomalyImpactExpression } from '../lib/constructs/health/cost-guard';

const ce = mockClient(CostExplorerClient);
const client = new CostExplorerClient({ region: 'us-east-1' });
const ACCOUNT = '111122223333';
const TOPIC = `arn:aws:sns:eu-west-1:${ACCOUNT}:Monitoring-warning-ABC`;
const AWS_DEFAULT = `arn:aws:ce::${ACCOUNT}:anomalymonitor/aaaaaaaa-0000-0000-0000-000000000001`;
const CUSTOM = `arn:aws:ce::${ACCOUNT}:anomalymonitor/bbbbbbbb-0000-0000-0000-000000000002`;
const CREATED = `arn:aws:ce::${ACCOUNT}:anomalymonitor/cccccccc-0000-0000-0000-000000000003`;
const SUBSCRIPTION = `arn:aws:ce::${ACCOUNT}:anomalysubscription/dddddddd-0000-0000-0000-000000000004`;

const props = { SubscriptionName: 'NBA-Simulator-cost-anomalies-eu-west-1', TopicArn: TOPIC, ThresholdExpression: anomalyImpactExpression(5), MonitorName: 'NBA-Simulator-services', MonitorArn: '' };
const event = (RequestType: AlertSubscriptionEvent['RequestType'], extra: Partial<AlertSubscriptionEvent> = {}): AlertSubscriptionEvent => ({ RequestType, ResourceProperties: props, ...extra });
const awsError = (name: string, message = name) => new CostExplorerServiceException({ name, message, $fault: 'client', $metadata: { httpStatusCode: 400 } });

beforeEach(() => {
  ce.reset();
  ce.on(CreateAnomalySubscriptionCommand).resolves({ SubscriptionArn: SUBSCRIPTION });
  ce.on(CreateAnomalyMonitorCommand).resolves({ MonitorArn: CREATED });
});

describe('Cost Anomaly Detection alert subscription (deploy-time custom resource)', () => {
  it('an account without a services monitor: creates one, then subscribes the topic to it', async () => {
    ce.on(GetAnomalyMonitorsCommand).resolves({ AnomalyMonitors: [{ MonitorArn: CUSTOM, MonitorName: 'team-tags', MonitorType: 'CUSTOM' }] });
    const result = await handleAlertSubscriptionEvent(event('Create'), client);
    expect(ce.commandCalls(CreateAnomalyMonitorCommand).map((c) => c.args[0].input)).toEqual([
      { AnomalyMonitor: { MonitorName: 'NBA-Simulator-services', MonitorType: 'DIMENSIONAL', MonitorDimension: 'SERVICE' } },
    ]);
    expect(ce.commandCalls(CreateAnomalySubscriptionCommand)[0]!.args[0].input).toEqual({
      AnomalySubscription: {
        SubscriptionName: 'NBA-Simulator-cost-anomalies-eu-west-1',
        MonitorArnList: [CREATED],
        Subscribers: [{ Type: 'SNS', Address: TOPIC }],
        Frequency: 'IMMEDIATE',
        ThresholdExpression: { Dimensions: { Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE', MatchOptions: ['GREATER_THAN_OR_EQUAL'], Values: ['5'] } },
      },
    });
    expect(result).toEqual({ PhysicalResourceId: SUBSCRIPTION, Data: { SubscriptionArn: SUBSCRIPTION, MonitorArn: CREATED, MonitorOrigin: 'created' } });
  });

  it('an account with one (e.g. the one AWS created): subscribes to it, on any page, and creates no second one', async () => {
    ce.on(GetAnomalyMonitorsCommand, { NextPageToken: undefined }).resolves({ AnomalyMonitors: [{ MonitorArn: CUSTOM, MonitorName: 'team-tags', MonitorType: 'CUSTOM' }], NextPageToken: 'p2' });
    ce.on(GetAnomalyMonitorsCommand, { NextPageToken: 'p2' }).resolves({
      AnomalyMonitors: [{ MonitorArn: AWS_DEFAULT, MonitorName: 'Default-Services-Monitor', MonitorType: 'DIMENSIONAL', MonitorDimension: 'SERVICE' }],
    });
    const result = await handleAlertSubscriptionEvent(event('Create'), client);
    expect(ce.commandCalls(CreateAnomalyMonitorCommand)).toHaveLength(0);
    expect(ce.commandCalls(GetAnomalyMonitorsCommand)).toHaveLength(2);
    expect(ce.commandCalls(CreateAnomalySubscriptionCommand)[0]!.args[0].input.AnomalySubscription!.MonitorArnList).toEqual([AWS_DEFAULT]);
    expect(result.Data).toMatchObject({ MonitorArn: AWS_DEFAULT, MonitorOrigin: 'existing' });
    expect(isServicesMonitor({ type: 'DIMENSIONAL', dimension: 'LINKED_ACCOUNT' })).toBe(false);
  });

  it('another stack created the services monitor first (creation refused): subscribes to that one', async () => {
    ce.on(GetAnomalyMonitorsCommand)
      .resolvesOnce({ AnomalyMonitors: [] })
      .resolves({ AnomalyMonitors: [{ MonitorArn: AWS_DEFAULT, MonitorName: 'Other-services', MonitorType: 'DIMENSIONAL', MonitorDimension: 'SERVICE' }] });
    ce.on(CreateAnomalyMonitorCommand).rejects(awsError('LimitExceededException', 'Limit exceeded on dimensional spend monitor creation'));
    const result = await handleAlertSubscriptionEvent(event('Create'), client);
    expect(result.Data).toMatchObject({ MonitorArn: AWS_DEFAULT, MonitorOrigin: 'existing' });

    // Refused for another reason, and still no monitor: the deploy fails with AWS's message.
    ce.on(GetAnomalyMonitorsCommand).resolves({ AnomalyMonitors: [] });
    ce.on(CreateAnomalyMonitorCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform ce:CreateAnomalyMonitor'));
    await expect(handleAlertSubscriptionEvent(event('Create'), client)).rejects.toThrow('ce:CreateAnomalyMonitor');
  });

  it('costAnomalyMonitorArn: uses that monitor when it exists, and says so when it does not', async () => {
    ce.on(GetAnomalyMonitorsCommand, { MonitorArnList: [CUSTOM] }).resolves({ AnomalyMonitors: [{ MonitorArn: CUSTOM, MonitorName: 'team-tags', MonitorType: 'CUSTOM' }] });
    const result = await handleAlertSubscriptionEvent(event('Create', { ResourceProperties: { ...props, MonitorArn: CUSTOM } }), client);
    expect(result.Data).toMatchObject({ MonitorArn: CUSTOM, MonitorOrigin: 'configured' });

    ce.on(GetAnomalyMonitorsCommand, { MonitorArnList: [AWS_DEFAULT] }).rejects(awsError('UnknownMonitorException'));
    await expect(handleAlertSubscriptionEvent(event('Create', { ResourceProperties: { ...props, MonitorArn: AWS_DEFAULT } }), client)).rejects.toThrow(
      `costAnomalyMonitorArn ${AWS_DEFAULT} is not a Cost Anomaly Detection monitor of this account.`,
    );
    expect(ce.commandCalls(CreateAnomalyMonitorCommand)).toHaveLength(0);
  });

  it('a refused subscription fails the deploy with the monitor, the topic and the reason', async () => {
    ce.on(GetAnomalyMonitorsCommand).resolves({ AnomalyMonitors: [{ MonitorArn: AWS_DEFAULT, MonitorName: 'Default', MonitorType: 'DIMENSIONAL', MonitorDimension: 'SERVICE' }] });
    ce.on(CreateAnomalySubscriptionCommand).rejects(awsError('ValidationException', 'SNS topic policy does not allow costalerts'));
    await expect(handleAlertSubscriptionEvent(event('Create'), client)).rejects.toThrow(
      `Creating the anomaly subscription on ${AWS_DEFAULT} for ${TOPIC} failed: ValidationException (HTTP 400): SNS topic policy does not allow costalerts`,
    );
  });

  it('Update changes the subscription in place, or creates a new one when it was deleted by hand', async () => {
    ce.on(GetAnomalyMonitorsCommand).resolves({ AnomalyMonitors: [{ MonitorArn: AWS_DEFAULT, MonitorName: 'Default', MonitorType: 'DIMENSIONAL', MonitorDimension: 'SERVICE' }] });
    const updated = await handleAlertSubscriptionEvent(event('Update', { PhysicalResourceId: SUBSCRIPTION }), client);
    expect(updated.PhysicalResourceId).toBe(SUBSCRIPTION);
    expect(ce.commandCalls(UpdateAnomalySubscriptionCommand)[0]!.args[0].input).toMatchObject({ SubscriptionArn: SUBSCRIPTION, MonitorArnList: [AWS_DEFAULT], Subscribers: [{ Type: 'SNS', Address: TOPIC }] });
    expect(ce.commandCalls(CreateAnomalySubscriptionCommand)).toHaveLength(0);

    const gone = `arn:aws:ce::${ACCOUNT}:anomalysubscription/eeeeeeee-0000-0000-0000-000000000005`;
    ce.on(UpdateAnomalySubscriptionCommand).rejects(awsError('UnknownSubscriptionException'));
    const replaced = await handleAlertSubscriptionEvent(event('Update', { PhysicalResourceId: gone }), client);
    expect(replaced.PhysicalResourceId).toBe(SUBSCRIPTION);
    expect(ce.commandCalls(CreateAnomalySubscriptionCommand)).toHaveLength(1);
  });

  it('Delete removes the subscription only (the monitor stays), tolerates one already gone and a create that never happened', async () => {
    await handleAlertSubscriptionEvent(event('Delete', { PhysicalResourceId: SUBSCRIPTION }), client);
    expect(ce.commandCalls(DeleteAnomalySubscriptionCommand).map((c) => c.args[0].input)).toEqual([{ SubscriptionArn: SUBSCRIPTION }]);
    expect(ce.commandCalls(GetAnomalyMonitorsCommand)).toHaveLength(0);

    ce.on(DeleteAnomalySubscriptionCommand).rejects(awsError('UnknownSubscriptionException'));
    await expect(handleAlertSubscriptionEvent(event('Delete', { PhysicalResourceId: SUBSCRIPTION }), client)).resolves.toEqual({ PhysicalResourceId: SUBSCRIPTION });

    ce.resetHistory();
    await handleAlertSubscriptionEvent(event('Delete', { PhysicalResourceId: 'a1b2c3-request-id' }), client);
    expect(ce.commandCalls(DeleteAnomalySubscriptionCommand)).toHaveLength(0);

    ce.on(DeleteAnomalySubscriptionCommand).rejects(awsError('AccessDeniedException', 'not allowed'));
    await expect(handleAlertSubscriptionEvent(event('Delete', { PhysicalResourceId: SUBSCRIPTION }), client)).rejects.toThrow(/Deleting the anomaly subscription .* failed: AccessDeniedException/);
  });

  it('stops at a bounded number of monitor pages instead of looping forever', async () => {
    ce.on(GetAnomalyMonitorsCommand).resolves({ AnomalyMonitors: [], NextPageToken: 'again' });
    await expect(handleAlertSubscriptionEvent(event('Create'), client)).rejects.toThrow(/more than 20 pages; stopped/);
    expect(ce.commandCalls(GetAnomalyMonitorsCommand)).toHaveLength(20);
  });
});
