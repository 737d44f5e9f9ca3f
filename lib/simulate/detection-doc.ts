import { parseConfig } from '../config/load';
import type { MonitoringConfig } from '../config/schema';
import { inMemoryStack } from '../stacks/monitoring-stack';
import { builtInScenarios } from './built-in';
import { type ScenarioResult, simulateScenario } from './driver';
import { SIMULATOR_APPROXIMATIONS } from './approximations';
import { renderDetectionDoc } from './report';
import { readStackTemplate } from './template';

/** Where the detection table of the default configuration lives. */
export const DETECTION_DOC = 'docs/monitoring/DETECTION.md';

/** Every built-in scenario on a configuration's stack, built in memory (no cdk.out needed). */
export async function simulateBuiltIns(config: MonitoringConfig): Promise<ScenarioResult[]> {
  const stack = readStackTemplate(inMemoryStack(config).inMemoryTemplate(), 'in-memory');
  const results: ScenarioResult[] = [];
  for (const scenario of builtInScenarios(config)) results.push(await simulateScenario({ stack, config, scenario }));
  return results;
}

/** The text of DETECTION.md: the built-in scenarios on the default configuration. */
export async function detectionDoc(): Promise<{ text: string; results: ScenarioResult[] }> {
  const results = await simulateBuiltIns(parseConfig({}, 'the default configuration'));
  return { text: renderDetectionDoc(results, SIMULATOR_APPROXIMATIONS), results };
}
