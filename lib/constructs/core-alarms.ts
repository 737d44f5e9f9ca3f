import { Duration, type aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import type { MetricCatalog } from '../catalog/catalog';
import type { MonitoringConfig } from '../config/schema';
import type { AlarmFactory } from './alarm-factory';
import { catalogMetric } from './catalog-metric';

/** The four core alarms, by their base names (ADCE's and cost's only when those sources are on). */
export interface CoreAlarms {
  readonly adceHighFailureRate?: cloudwatch.Alarm;
  readonly costBudgetExceeded?: cloudwatch.Alarm;
  readonly s3UploadFailures: cloudwatch.Alarm;
  readonly dataQualityIssues: cloudwatch.Alarm;
}

/**
 * The four core alarms (ADCE failure rate, budget utilization, upload failures, data quality) with their exact semantics; thresholds come from `config.thresholds`.
 * Missing data (see docs/monitoring/ALARM_RUNBOOKS.md): a pushed failure counter with no data
 * means "no failures" (notBreaching). ADCESuccessRate comes once per orchestrator run, so most
 * 5-minute periods hold none: the alarm judges one period and ignores missing data, so the
 * latest run decides (a bad run alarms within a minute, the next good run clears it) and the
 * state holds between runs. With `missing` it would fall to INSUFFICIENT_DATA after every run
 * and come back OK with the next, sending an OK notification each time (`monitor simulate`
 * shows it). Silence itself is ADCE-NoRecentRun's job.
 * The 1-period alarms (ValidationPassRate, BudgetUtilization) use `ignore`: a bad hour or day
 * stays in ALARM until a good value replaces it. Silence itself is the dead-man's switches' job.
 */
export function addCoreAlarms(alarms: AlarmFactory, catalog: MetricCatalog, config: MonitoringConfig): CoreAlarms {
  const t = config.thresholds;
  const minutes = (n: number) => Duration.minutes(n);
  return {
    adceHighFailureRate: !config.adce.enabled ? undefined : alarms.whenBelow(
      'ADCE-HighFailureRate',
      catalogMetric(catalog, 'ADCESuccessRate', {}, { statistic: 'Average', period: minutes(5) }),
      {
        threshold: t.adceMinSuccessRatePct,
        periods: 1,
        missingData: 'ignore',
        severity: 'critical',
        summary: `ADCE task success rate (Average) of the latest orchestrator run was below ${t.adceMinSuccessRatePct}% (a run with too many failed tasks); it clears with the next good run.`,
      },
    ),
    costBudgetExceeded: !config.cost.enabled ? undefined : alarms.whenAbove(
      'AWS-CostBudgetExceeded',
      catalogMetric(catalog, 'BudgetUtilization', {}, { statistic: 'Maximum', period: Duration.days(1) }),
      {
        threshold: t.budgetUtilizationPct,
        periods: 1,
        missingData: 'ignore',
        severity: 'warning',
        summary: `Month-to-date AWS cost is above ${t.budgetUtilizationPct}% of the ${config.monthlyBudgetUsd} USD monthly budget.`,
      },
    ),
    s3UploadFailures: alarms.whenAbove(
      'S3-UploadFailures',
      catalogMetric(catalog, 'S3UploadFailures', {}, { statistic: 'Sum', period: minutes(5) }),
      {
        threshold: t.maxS3UploadFailures,
        periods: 2,
        missingData: 'notBreaching',
        severity: 'critical',
        summary: `More than ${t.maxS3UploadFailures} uploads to the data lake failed in each of 2 consecutive 5-minute periods.`,
      },
    ),
    dataQualityIssues: alarms.whenBelow(
      'Data-QualityIssues',
      catalogMetric(catalog, 'ValidationPassRate', {}, { statistic: 'Average', period: Duration.hours(1) }),
      {
        threshold: t.minValidationPassRatePct,
        periods: 1,
        missingData: 'ignore',
        severity: 'warning',
        summary: `Validation pass rate (Average) was below ${t.minValidationPassRatePct}% over the last hour.`,
      },
    ),
  };
}
