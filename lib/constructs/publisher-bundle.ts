/**
 * How a publisher Lambda is bundled (esbuild), in one place: `ScheduledPublisher` bundles the
 * TypeScript handler this way in a checkout, and the package build (scripts/build-package.ts)
 * ships the same bundles prebuilt, so an installed library needs no esbuild.
 */
export const PUBLISHER_BUNDLE = {
  minify: true,
  // CJS: the SDK v3 of the Node 24 runtime stays external and loads with require().
  format: 'cjs',
  target: 'node22',
  external: ['@aws-sdk/*'],
  // ES modules first, so esbuild keeps only what is used: the pinned HTTP handler (bundled for
  // its timeouts) would otherwise bring all of @smithy/core's CJS (+110 KB).
  mainFields: ['module', 'main'],
} as const;

/** Folder of the prebuilt bundle of a publisher, relative to the built library (dist/lambda/<publisher>/index.js). */
export const PREBUILT_LAMBDA_DIR = 'lambda';
