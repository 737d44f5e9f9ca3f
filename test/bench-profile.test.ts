import { describe, expect, it } from 'vitest';
import { type CpuProfile, summarizeProfiles } from '../bench/profile';

/** The benchmark's CPU breakdown (bench/profile.ts) on a hand-made profile whose answer is known. */
const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({ id, callFrame: { functionName, url, lineNumber: 0 }, children });
const BUNDLE = 'file:///repo/node_modules/.cache/monitor-cli/cli-0123456789abcdef.cjs';

const profile: CpuProfile = {
  nodes: [
    frame(1, '(root)', '', [2, 3, 9, 10]),
    frame(2, 'Module._load', 'node:internal/modules/cjs/loader', [4]),
    frame(3, 'processTicksAndRejections', 'node:internal/process/task_queues', [5, 7]),
    frame(4, 'signRequest', 'file:///repo/node_modules/@smithy/signature-v4/dist-cjs/index.js'), // a module's top level: start-up
    frame(5, 'bodyText', BUNDLE, [6]),
    frame(6, 'slice', 'node:buffer'), // charged to its caller, the page parser
    frame(7, 'handle', 'file:///repo/node_modules/@smithy/node-http-handler/dist-cjs/index.js', [8]),
    frame(8, 'listRange', BUNDLE),
    frame(9, '(idle)', ''),
    frame(10, '(garbage collector)', ''),
  ],
  samples: [4, 6, 6, 8, 7, 9, 9, 9, 10],
  timeDeltas: [1000, 2000, 3000, 4000, 5000, 100000, 100000, 100000, 6000],
};

describe('CPU profile summary', () => {
  it('charges each sample to the innermost categorized function, module loading to start-up, and leaves idle out', () => {
    const { ms, top } = summarizeProfiles([profile]);
    expect(Object.fromEntries([...ms].filter(([, v]) => v > 0))).toEqual({
      'start-up (loading and compiling modules)': 1,
      'XML parsing': 5,
      'scan logic and aggregation': 4,
      'HTTP stack': 5,
      'garbage collection': 6,
    });
    expect(top.get('XML parsing')).toEqual([['slice (node:buffer)', 5]]);
    expect(top.get('scan logic and aggregation')).toEqual([['listRange (CLI bundle)', 4]]);
  });
});
