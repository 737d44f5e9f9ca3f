import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { PUBLISHERS, type PublisherId } from '../config/schema';

/**
 * How the library's Lambda handlers are bundled (esbuild), in one place: {@link bundledFunction}
 * bundles the TypeScript handler this way in a checkout, and the package build (scripts/build-package.ts)
 * ships the same bundles prebuilt, so an installed library needs no esbuild.
 */
export const LAMBDA_BUNDLE = {
  minify: true,
  // CJS: the SDK v3 of the Node 24 runtime stays external and loads with require().
  format: 'cjs',
  target: 'node22',
  external: ['@aws-sdk/*'],
  // ES modules first, so esbuild keeps only what is used: the pinned HTTP handler (bundled for
  // its timeouts) would otherwise bring all of @smithy/core's CJS (+110 KB).
  mainFields: ['module', 'main'],
} as const;

/** Folder of the prebuilt handler bundles, relative to the built library (dist/lambda/<id>/index.js). */
export const PREBUILT_LAMBDA_DIR = 'lambda';

export type LambdaHandlerId = PublisherId | 'cost-anomaly-alerts';

/** Every Lambda handler the library deploys, by id: its source lambda/<file>.ts, its prebuilt folder dist/lambda/<id>/. */
export const LAMBDA_HANDLERS: Readonly<Record<LambdaHandlerId, string>> = {
  ...(Object.fromEntries(PUBLISHERS.map((p) => [p, `${p}-publisher`])) as Record<PublisherId, string>),
  'cost-anomaly-alerts': 'cost-anomaly-alerts',
};

/**
 * A function running one of the library's handlers: the prebuilt bundle when the library is
 * installed (it ships each handler bundled next to itself), else esbuild on the TypeScript of a
 * checkout, both with {@link LAMBDA_BUNDLE}.
 */
export function bundledFunction(scope: Construct, id: string, handlerId: LambdaHandlerId, props: Omit<lambda.FunctionProps, 'code' | 'handler'>): lambda.Function {
  const prebuilt = join(import.meta.dirname, PREBUILT_LAMBDA_DIR, handlerId);
  if (existsSync(join(prebuilt, 'index.js'))) {
    return new lambda.Function(scope, id, { ...props, code: lambda.Code.fromAsset(prebuilt), handler: 'index.handler' });
  }
  return new NodejsFunction(scope, id, {
    ...props,
    entry: join(import.meta.dirname, '..', '..', 'lambda', `${LAMBDA_HANDLERS[handlerId]}.ts`),
    handler: 'handler',
    bundling: {
      minify: LAMBDA_BUNDLE.minify,
      format: OutputFormat.CJS,
      target: LAMBDA_BUNDLE.target,
      externalModules: [...LAMBDA_BUNDLE.external],
      mainFields: [...LAMBDA_BUNDLE.mainFields],
      sourceMap: false,
      // esbuild's size report on every synth says nothing to act on; its errors still show.
      logLevel: LogLevel.ERROR,
    },
  });
}
