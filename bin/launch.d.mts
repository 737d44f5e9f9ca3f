// Types of bin/launch.mjs (plain JavaScript: it runs before any TypeScript can).
export function quietSdkVersionWarning(root: string, sdkPackage?: string): void;
export function bundledModule(options: { root: string; entry: string; cacheDir?: string }): Promise<{ exports: Record<string, unknown>; built: boolean } | undefined>;
