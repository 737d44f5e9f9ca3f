/**
 * Where the simulator follows AWS and where it approximates, one sentence each with the
 * document it follows: printed in docs/monitoring/DETECTION.md.
 */
export const SIMULATOR_APPROXIMATIONS: readonly string[] = [
  'Alarms are evaluated every simulated minute over a sliding window of whole periods ending at that minute, as CloudWatch does for periods of a minute or more (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarm-evaluation). A datum published during a minute is first seen by the next minute\'s evaluation; CloudWatch\'s own ingestion delay (seconds to a few minutes) is not modelled.',
  'Missing data follows the four TreatMissingData modes and the evaluation-range table of https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data.',
  'Metric math evaluates the functions the stack uses (arithmetic, comparisons, AND/OR/NOT, IF, FILL, DIFF, ...) per period; an expression with any other function is an error, never a guess (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html).',
  'Anomaly-detection alarms (profile `full`) are not simulated: their band is a model CloudWatch trains on two weeks of the metric\'s history; they stay INSUFFICIENT_DATA and are named in each result\'s notes.',
  'Composite alarms are evaluated after their members each minute, with the rule syntax of https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Composite_Alarm.html.',
  'Publishers run at minute 0 and every schedule interval after (EventBridge Scheduler rate expressions, flexible window off); a run takes no simulated time. A run that throws is retried after 1 and 2 minutes up to the function\'s MaximumRetryAttempts, then goes to its on-failure destination (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).',
  'Log metric filters are applied to the publishers\' JSON log lines (Powertools `level`) and to one `platform.report` event per invocation whose status is `success` or `error` (https://docs.aws.amazon.com/lambda/latest/dg/telemetry-schema-reference.html). The simulated filter syntax is the JSON subset the stack uses.',
  'SQS publishes ApproximateNumberOfMessagesVisible of the failure queue every minute while it holds messages (every 5 minutes otherwise); nothing consumes the queue, so its messages stay until the retention period ends.',
  'Lambda Throttles is never published (the simulated account has spare concurrency).',
  'The world: data sources receive an object every quarter of their freshness threshold (10 to 180 minutes); ADCE writes a run report every quarter of adce.maxHoursWithoutRun (5 to 30 minutes) and a task queue every adce.reconciliationIntervalMinutes; DIMS verifies every dims.verificationCadenceHours; the account costs 3 USD a day and AWS Budgets forecasts the month at the current daily rate; the pipeline pushes its quality metrics every 15 minutes.',
];
