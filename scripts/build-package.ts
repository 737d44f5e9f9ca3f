/**
 * Builds the installable library into dist/: the construct library as one CommonJS file (its
 * dependencies stay external: npm installs them), each publisher Lambda prebuilt exactly as a
 * checkout bundles it, the pipeline's Python module, and the type declarations. Run by `npm pack` (prepack).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { LAMBDA_BUNDLE, LAMBDA_HANDLERS, type LambdaHandlerId, PREBUILT_LAMBDA_DIR } from '../lib/constructs/lambda-bundle';
import { PYTHON_MODULE_FILE } from '../lib/export/python';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
// The repository is ESM for its own tools; what dist/ ships (index.cjs, the Lambda index.js files,
// the declarations) is CommonJS, and TypeScript reads the declarations as such.
writeFileSync(join(dist, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);

await build({
  entryPoints: [join(root, 'lib', 'index.ts')],
  outfile: join(dist, 'index.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  // In the bundle the module's folder is dist/, where the prebuilt Lambda folders are.
  define: { 'import.meta.dirname': '__dirname' },
  logLevel: 'warning',
});

await Promise.all(
  (Object.keys(LAMBDA_HANDLERS) as LambdaHandlerId[]).map((id) =>
    build({
      entryPoints: [join(root, 'lambda', `${LAMBDA_HANDLERS[id]}.ts`)],
      outfile: join(dist, PREBUILT_LAMBDA_DIR, id, 'index.js'),
      bundle: true,
      platform: 'node',
      format: LAMBDA_BUNDLE.format,
      target: LAMBDA_BUNDLE.target,
      minify: LAMBDA_BUNDLE.minify,
      external: [...LAMBDA_BUNDLE.external],
      mainFields: [...LAMBDA_BUNDLE.mainFields],
      logLevel: 'warning',
    }),
  ),
);

// pythonModule() keeps its hand-written part, read next to itself: dist/ in the bundle.
copyFileSync(join(root, 'python', PYTHON_MODULE_FILE), join(dist, PYTHON_MODULE_FILE));

execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
console.log(`built ${dist}: index.cjs, ${Object.keys(LAMBDA_HANDLERS).length} Lambda bundles, types`);
