// `npm run docs:detection`: rewrites docs/monitoring/DETECTION.md from the simulator's run of the built-in scenarios.
import { writeFileSync } from 'node:fs';
import { DETECTION_DOC, detectionDoc } from '../lib/simulate/detection-doc';

const { text, results } = await detectionDoc();
writeFileSync(DETECTION_DOC, text);
const failing = results.filter((r) => r.problems.length > 0).map((r) => r.scenario);
process.stdout.write(`${DETECTION_DOC}: ${results.length} scenarios${failing.length > 0 ? `; failing: ${failing.join(', ')}` : ''}\n`);
