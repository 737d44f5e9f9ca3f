import { monitoringStackName } from '../../config/load';
import { preflightClients } from '../../preflight/clients';
import { runPreflight } from '../../preflight/run';
import { synthesizeTemplate } from '../../preflight/template';
import type { PreflightCheck } from '../../preflight/types';
import { withRegion } from '../aws';
import { EXIT, type RegisterCommand, configFromOptions } from '../main';
import { formatTable } from '../table';

/**
 * `monitor preflight`: before the first deploy, read-only checks against the target account and
 * region. Exit 0 only when the deploy will succeed and notifications can arrive; every failed
 * check says what to do.
 */
export const registerPreflight: RegisterCommand = (program, io) => {
  withRegion(
    program
      .command('preflight')
      .description(
        'Before a deploy, read-only: credentials, region support of every resource type, CDK bootstrap, the Cost Anomaly Detection monitor and budget name, ' +
          'each configured bucket (exists, region, SSE-KMS key config) and the ADCE/DIMS objects, SMS sandbox / origination / spend limit. Exit 0 only when nothing failed.',
      )
      .option('--stack <name>', 'stack name (default: the name `cdk deploy` gives for this config)')
      .option('--bootstrap-qualifier <q>', 'CDK bootstrap qualifier', 'hnb659fds')
      .option('--json', 'print the checks as JSON')
      .option('--strict', 'also fail on warnings (checks that could not be confirmed)'),
  ).action(async (opts: { stack?: string; bootstrapQualifier: string; json?: boolean; strict?: boolean; region?: string }, command) => {
    const config = configFromOptions(command);
    const stackName = opts.stack ?? monitoringStackName(config);
    const progress = io.isTTY ? (message: string) => io.err(`preflight: ${message}\n`) : undefined;
    const report = await runPreflight({
      config,
      stackName,
      clients: preflightClients(opts.region),
      bootstrapQualifier: opts.bootstrapQualifier,
      synthesize: (target) => synthesizeTemplate(config, stackName, target),
      progress,
    });
    const { checks, target } = report;
    const failed = checks.filter((c) => c.status === 'fail').length;
    const warned = checks.filter((c) => c.status === 'warn').length;
    const ready = failed === 0 && (!opts.strict || warned === 0);
    if (opts.json) {
      io.out(`${JSON.stringify({ stack: stackName, account: target?.account, region: target?.region, ok: ready, failed, warnings: warned, checks }, null, 2)}\n`);
    } else {
      io.out(render(checks, stackName, target, ready, failed, warned));
    }
    if (!ready) io.exit(EXIT.failure);
  });
};

const STATUS_TEXT: Record<PreflightCheck['status'], string> = { ok: 'ok', warn: 'WARN', fail: 'FAIL', skip: 'skip' };

function render(checks: PreflightCheck[], stackName: string, target: { account: string; region: string } | undefined, ready: boolean, failed: number, warned: number): string {
  const rows = checks.map((c) => [c.area, c.name, STATUS_TEXT[c.status], c.detail]);
  const todo = checks.filter((c) => c.fix && c.status !== 'ok');
  const where = target ? `${stackName} -> ${target.account} / ${target.region}` : stackName;
  const verdict = ready ? 'ready to deploy' : 'NOT ready';
  const lines = [formatTable(['CHECK', 'NAME', 'STATUS', 'DETAIL'], rows), ''];
  if (todo.length) lines.push('What to do:', ...todo.map((c, i) => `${i + 1}. [${STATUS_TEXT[c.status]}] ${c.name}: ${c.fix}`), '');
  lines.push(`${where}: ${verdict} (${checks.length - failed - warned} ok, ${warned} warning(s), ${failed} failed)`);
  return `${lines.join('\n')}\n`;
}
