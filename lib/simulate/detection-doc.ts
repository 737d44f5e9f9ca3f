import { parseConfig } from '../config/load';
import type { MonitoringConfig } from '../config/schema';
import { inMemoryStack } from '../stacks/monitoring-stack';
import { builtInScenarios } from './built-in';
import { type ScenarioResult, simulateScenario } from './driver';
import { SIMULATOR_APPROXIMATIONS } from './approximations';
import { renderDetectionDoc } from './report';
import type { SimStack } from './model';
import type { Scenario } from './scenario';
import { readStackTemplate } from './template';

/** Where the detection table of the default configuration lives. */
export const DETECTION_DOC = 'docs/monitoring/DETECTION.md';

/** A configuration's stack as the simulator reads it, built in memory (no cdk.out needed). */
export function simulatedStack(config: MonitoringConfig): SimStack {
  return readStackTemplate(inMemoryStack(config).inMemoryTemplate(), 'in-memory');
}

/** Scenarios one after the other on a stack (default: every built-in scenario on the configuration's stack). */
export async function simulateBuiltIns(config: MonitoringConfig, stack = simulatedStack(config), scenarios: readonly Scenario[] = builtInScenarios(config)): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) results.push(await simulateScenario({ stack, config, scenario }));
  return results;
}

/** The text of DETECTION.md: the built-in scenarios on the default configuration. */
export async function detectionDoc(): Promise<{ text: string; results: ScenarioResult[] }> {
  const results = await simulateBuiltIns(parseConfig({}, 'the default configuration'));
  return { text: renderDetectionDoc(results, SIMULATOR_APPROXIMATIONS), results };
}
