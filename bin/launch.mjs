// How bin/monitor.mjs starts the CLI from a checkout with no build step, quickly.
//
// Start-up is most of a short command's CPU: compiling the TypeScript sources on every start
// (tsx's loader hooks, on a thread of their own, for each of ~250 modules) costs about 0.6 s of
// CPU, more than listing 100,000 keys. So the sources are bundled once with esbuild into
// node_modules/.cache/ (CommonJS, the AWS SDK left external: loaded as the Lambda loads it) and
// that bundle is reused while the sources and the installed packages are unchanged: any edit,
// `npm ci` or branch switch rebuilds it on the next start (~0.2 s). Where that cannot work
// (read-only checkout, esbuild missing, or a warning such as `import.meta.url` that CommonJS would
// get wrong), the caller runs the sources through tsx instead. `import.meta.dirname` is kept
// right: each source's own folder, written into the bundle (lambda/ and python/ are found from it).
// Stack traces name the bundle; NODE_OPTIONS=--enable-source-maps maps them to the sources.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

const requireBundle = createRequire(import.meta.url);
/** This file: a change to how bundles are built rebuilds them. */
const LAUNCHER = readFileSync(new URL(import.meta.url));
/** Changes whenever a package is installed, updated or removed. */
const INSTALLED = join('node_modules', '.package-lock.json');

/**
 * The AWS SDK warns on Node < 22 about its releases after early 2027. The SDK installed here is
 * pinned by the lockfile and supports the running Node (the `engines` of `sdkPackage`: the SDK
 * itself, or the CDK CLI that carries its own), so the warning asks nothing of the user; where
 * the installed package does not support this Node, it is kept.
 */
export function quietSdkVersionWarning(root, sdkPackage = '@aws-sdk/core') {
  try {
    const { engines } = JSON.parse(readFileSync(join(root, 'node_modules', sdkPackage, 'package.json'), 'utf8'));
    const min = Number(/^>=\s*(\d+)/.exec(engines?.node ?? '')?.[1]);
    if (Number(process.versions.node.split('.')[0]) >= min) process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  } catch {
    // No SDK installed: nothing to quiet.
  }
}

/**
 * The exports of `entry` (a path under `root`) from its cached bundle, built first when missing
 * or stale; `built` says which. Undefined when it cannot be bundled (see above).
 */
export async function bundledModule({ root, entry, cacheDir = join(root, 'node_modules', '.cache', 'monitor-cli') }) {
  const inputsFile = join(cacheDir, 'inputs.json');
  try {
    let inputs;
    try {
      inputs = JSON.parse(readFileSync(inputsFile, 'utf8'));
    } catch {
      inputs = undefined;
    }
    const key = inputs && fingerprint(root, inputs);
    const bundle = key && join(cacheDir, `cli-${key}.cjs`);
    try {
      if (bundle) return { exports: requireBundle(bundle), built: false };
    } catch (err) {
      if (err?.code !== 'MODULE_NOT_FOUND' || !String(err.message).includes(bundle)) throw err;
    }
    const exports = await rebuild(root, entry, cacheDir, inputsFile);
    return exports && { exports, built: true };
  } catch {
    return undefined;
  }
}

/** Hash of the bundle's inputs as they are on disk now; undefined when one cannot be read. */
function fingerprint(root, inputs) {
  // The checkout's place too: the bundle holds its sources' folders.
  const hash = createHash('sha256').update(process.version).update(root).update(LAUNCHER);
  try {
    for (const file of [INSTALLED, ...inputs]) hash.update(file).update(readFileSync(join(root, file)));
  } catch {
    return undefined;
  }
  return hash.digest('hex').slice(0, 16);
}

/** `import.meta.dirname` of the project's own sources as the folder they are in (CommonJS has no import.meta). */
const SOURCE_DIRNAME = {
  name: 'source-dirname',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes('node_modules')) return undefined;
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.dirname')) return undefined;
      return { contents: text.replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path))), loader: 'ts' };
    });
  },
};

async function rebuild(root, entry, cacheDir, inputsFile) {
  const { build } = await import('esbuild');
  mkdirSync(cacheDir, { recursive: true });
  const tmp = join(cacheDir, `build-${process.pid}.cjs`);
  const discard = () => {
    rmSync(tmp, { force: true });
    rmSync(`${tmp}.map`, { force: true });
    return undefined;
  };
  const result = await build({
    absWorkingDir: root,
    entryPoints: [join(root, entry)],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: `node${process.versions.node.split('.')[0]}`,
    // Loaded from node_modules at run time: the SDK as in the Lambda (one instance, which tests
    // mock); aws-cdk-lib finds its own assets next to its files (and is large to bundle).
    external: ['@aws-sdk/*', '@smithy/*', '@aws-crypto/*', 'aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'],
    sourcemap: true,
    metafile: true,
    logLevel: 'silent',
    plugins: [SOURCE_DIRNAME],
  });
  if (result.warnings.length > 0) return discard();
  // Installed packages are covered by INSTALLED; the project's own files by their contents.
  const inputs = Object.keys(result.metafile.inputs)
    .filter((f) => !f.includes('node_modules/'))
    .map((f) => relative(root, join(root, f)))
    .sort();
  const key = fingerprint(root, inputs);
  if (!key) return discard();
  const name = `cli-${key}.cjs`;
  const bundle = join(cacheDir, name);
  // Renames are atomic: a CLI starting meanwhile sees no bundle or the whole of one.
  writeFileSync(tmp, readFileSync(tmp, 'utf8').replace(`sourceMappingURL=build-${process.pid}.cjs.map`, `sourceMappingURL=${name}.map`));
  renameSync(`${tmp}.map`, `${bundle}.map`);
  renameSync(tmp, bundle);
  writeFileSync(`${inputsFile}.${process.pid}`, JSON.stringify(inputs));
  renameSync(`${inputsFile}.${process.pid}`, inputsFile);
  for (const f of readdirSync(cacheDir)) {
    if (/^cli-[0-9a-f]+\.cjs(\.map)?$/.test(f) && !f.startsWith(`${name}`)) rmSync(join(cacheDir, f), { force: true });
  }
  return requireBundle(bundle);
}
