import { CloudWatchClient, PutMetricDataCommand, type PutMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';

/**
 * CloudWatch mocked for every client instance (aws-sdk-client-mock), with what PutMetricData was
 * sent. `reset()` clears calls and behaviours and makes PutMetricData succeed again.
 */
export function mockCloudWatch() {
  const cw = mockClient(CloudWatchClient);
  const requests = (): PutMetricDataCommandInput[] => cw.commandCalls(PutMetricDataCommand).map((c) => c.args[0].input);
  return {
    cw,
    /** Every PutMetricData request, in order. */
    requests,
    /** Every datum sent, with the namespace of its request. */
    datums: () => requests().flatMap((r) => (r.MetricData ?? []).map((d) => ({ ...d, Namespace: r.Namespace }))),
    reset(): void {
      cw.reset();
      cw.on(PutMetricDataCommand).resolves({});
    },
  };
}
