import { Annotations, AspectPriority, Aspects, type IAspect, type Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { MonitoringConfig } from '../config/schema';
import { type CfnTemplate, type CostReport, estimateCost } from '../cost/model';

/** `Estimated monitoring cost: $X.XX/month (monitor cost-estimate for the lines)`. */
export function costLine(totalUsd: number): string {
  return `Estimated monitoring cost: $${(Math.round(totalUsd * 100) / 100).toFixed(2)}/month (monitor cost-estimate for the lines)`;
}

export interface CostEstimateProps {
  /** The stack whose template is priced. */
  readonly stack: Stack;
  /** Its validated configuration (`costBudgetUsd`, and what the cost model reads). */
  readonly config: MonitoringConfig;
  /** The stack's template as synthesis renders it, from the construct tree in memory. */
  readonly template: () => CfnTemplate;
  /** Called with the estimate line (the CDK app prints it). @default nothing printed */
  readonly onEstimate?: (line: string, report: CostReport) => void;
}

/**
 * Prices the stack at synth with the same model as `monitor cost-estimate` (free tier applied),
 * from the template in memory (nothing is read from cdk.out), and warns when the estimate
 * exceeds `costBudgetUsd`. A read-only aspect: it runs after every aspect that changes the tree.
 */
export class CostEstimate implements IAspect {
  /** The last estimate (undefined before synthesis). */
  report?: CostReport;

  constructor(private readonly props: CostEstimateProps) {}

  visit(node: IConstruct): void {
    if (node !== this.props.stack) return;
    const { config, stack } = this.props;
    const report = (this.report = estimateCost([this.props.template()], config));
    this.props.onEstimate?.(costLine(report.totalUsd), report);
    if (Math.round(report.totalUsd * 100) / 100 > config.costBudgetUsd) {
      Annotations.of(stack).addWarningV2(
        'monitoring:cost',
        `${costLine(report.totalUsd)} exceeds costBudgetUsd ($${config.costBudgetUsd.toFixed(2)}). docs/monitoring/COST_OPTIMIZATION.md lists each feature's price; set costBudgetUsd to accept it.`,
      );
    }
  }
}

/** Adds the estimate to a stack (after every aspect that changes the tree). */
export function addCostEstimate(props: CostEstimateProps): CostEstimate {
  const aspect = new CostEstimate(props);
  Aspects.of(props.stack).add(aspect, { priority: AspectPriority.READONLY });
  return aspect;
}
