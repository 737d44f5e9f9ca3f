import { tmpdir } from 'node:os';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SEVERITIES, recipientsFor } from '../lib/config/alerting';
import { ConfigError, alarmName, loadConfig, parseConfig } from '../lib/config/load';
import { PROFILE_FEATURES, featureValue } from '../lib/config/profile';
import { operationNames, scheduledOperations } from '../lib/config/schema';

function configDirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'config-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function loadError(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('defaults describe the NBA statistics data lake', () => {
    const { config, warnings } = loadConfig({ configDir: configDirWith({}) });
    expect(config.dataLakeBucket).toBe('nba-sim-raw-data-lake');
    expect(config.namespacePrefix).toBe('NBA-Simulator');
    expect(config.monthlyBudgetUsd).toBe(150);
    expect(config.adce.scheduleMinutes).toBe(5);
    expect(config.s3.scheduleMinutes).toBe(120);
    expect(config.dims.scheduleMinutes).toBe(360);
    expect(config.cost.scheduleMinutes).toBe(1440);
    expect(warnings.join(' ')).toMatch(/alarms will notify nobody/);
  });

  it('reads the environment file and lets context override it', () => {
    const dir = configDirWith({ 'prod.json': JSON.stringify({ monthlyBudgetUsd: 300, alertEmails: ['a@example.com'], runbookBaseUrl: 'https://github.com/acme/lake/blob/main' }) });
    const { config, warnings } = loadConfig({
      envName: 'prod',
      configDir: dir,
      context: { monthlyBudgetUsd: '200', alertPhoneNumbers: '+14155550123, +442071838750', dataLakeBucket: 'other-lake' },
    });
    expect(config.envName).toBe('prod');
    expect(config.monthlyBudgetUsd).toBe(200);
    expect(config.alertEmails).toEqual(['a@example.com']);
    expect(config.alertPhoneNumbers).toEqual(['+14155550123', '+442071838750']);
    expect(config.dataLakeBucket).toBe('other-lake');
    expect(warnings).toEqual([]);
  });

  it('splits comma-separated alertEmails from the command line', () => {
    const { config } = loadConfig({ configDir: configDirWith({}), context: { alertEmails: 'a@example.com,b@example.org' } });
    expect(config.alertEmails).toEqual(['a@example.com', 'b@example.org']);
  });

  it.each([
    [{ alertEmails: 'ops@example.com,not-an-email' }, /alertEmails\[1\] = "not-an-email": is not a valid email address/],
    [{ alertPhoneNumbers: '4155550123' }, /alertPhoneNumbers\[0\] = "4155550123": is not an E\.164 phone number/],
    [{ monthlyBudgetUsd: '0' }, /monthlyBudgetUsd = 0: must be > 0/],
    [{ monthlyBudgetUsd: '-10' }, /monthlyBudgetUsd = -10: must be > 0/],
    [{ monthlyBudgetUsd: 'lots' }, /monthlyBudgetUsd = "lots": must be a number/],
    [{ dataLakeBucket: 'Bad_Bucket' }, /dataLakeBucket = "Bad_Bucket": is not a valid S3 bucket name/],
    [{ namespacePrefix: 'AWS/Lambda' }, /namespacePrefix = "AWS\/Lambda": must not start with "AWS\/"/],
  ])('rejects context %j with a message naming key and value', (context, message) => {
    expect(loadError(() => loadConfig({ configDir: configDirWith({}), context }))).toMatch(message);
  });

  it('rejects an unknown key in the file, naming it and its value', () => {
    const dir = configDirWith({ 'dev.json': JSON.stringify({ monthlyBudget: 10, s3: { schedulMinutes: 5 } }) });
    const message = loadError(() => loadConfig({ envName: 'dev', configDir: dir }));
    expect(message).toMatch(/unknown key "monthlyBudget" \(value 10\)/);
    expect(message).toMatch(/unknown key "s3\.schedulMinutes" \(value 5\)/);
    expect(message).toContain(join(dir, 'dev.json'));
  });

  it('rejects malformed JSON and a missing environment file', () => {
    const dir = configDirWith({ 'bad.json': '{ "monthlyBudgetUsd": ' });
    expect(loadError(() => loadConfig({ envName: 'bad', configDir: dir }))).toMatch(/bad\.json is not valid JSON/);
    expect(loadError(() => loadConfig({ envName: 'staging', configDir: dir }))).toMatch(/staging\.json for environment "staging" does not exist/);
  });

  it('rejects wrong types deep in the tree', () => {
    expect(() => parseConfig({ adce: { scheduleMinutes: 'often' } })).toThrow(/adce\.scheduleMinutes = "often"/);
    expect(() => parseConfig({ slo: { adceSuccessTargetPct: 100 } })).toThrow(/slo\.adceSuccessTargetPct = 100: must be < 100/);
  });

  it('names alarms after the instance, so two namespaces or environments never collide', () => {
    expect(alarmName(parseConfig({}), 'ADCE-HighFailureRate')).toBe('NBA-Simulator-ADCE-HighFailureRate');
    expect(alarmName(parseConfig({ envName: 'prod', namespacePrefix: 'Acme/Lake' }), 'ADCE-HighFailureRate')).toBe('Acme-Lake-prod-ADCE-HighFailureRate');
    expect(alarmName(parseConfig({ alarmNamePrefix: 'team7' }), 'ADCE-HighFailureRate')).toBe('team7-ADCE-HighFailureRate');
    expect(alarmName(parseConfig({ alarmNamePrefix: '' }), 'ADCE-HighFailureRate')).toBe('ADCE-HighFailureRate');
    expect(() => parseConfig({ alarmNamePrefix: 'a b' })).toThrow(/alarmNamePrefix = "a b": may only contain/);
  });
});

describe('published dimension values are normalized by the schema', () => {
  it('lower-cases and de-duplicates adce.priorities (the values ADCEQueueTasks carries)', () => {
    const config = parseConfig({ adce: { priorities: ['CRITICAL', 'High', 'high', 'urgent'] } });
    expect(config.adce.priorities).toEqual(['critical', 'high', 'urgent']);
  });

  it('normalizing is idempotent: the Lambdas re-parse the parsed config from MONITOR_CONFIG', () => {
    const once = parseConfig({ adce: { priorities: ['Low', 'LOW'] }, s3: { perPrefixMetrics: ['espn/', 'espn/'] } });
    expect(parseConfig(JSON.parse(JSON.stringify(once)))).toEqual(once);
  });

  it('de-duplicates s3.perPrefixMetrics, keeping the first-seen order', () => {
    expect(parseConfig({ s3: { perPrefixMetrics: ['nba_pbp/', 'espn/', 'nba_pbp/'] } }).s3.perPrefixMetrics).toEqual(['nba_pbp/', 'espn/']);
  });

  it.each([
    ['', /s3\.perPrefixMetrics\[0\] = "": must be a top-level prefix ending in "\/"/],
    ['espn', /s3\.perPrefixMetrics\[0\] = "espn": must be a top-level prefix ending in "\/"/],
    ['/espn/', /s3\.perPrefixMetrics\[0\] = "\/espn\/": must be a top-level prefix ending in "\/"/],
  ])('refuses perPrefixMetrics entry %j with a message naming it', (prefix, message) => {
    expect(loadError(() => parseConfig({ s3: { perPrefixMetrics: [prefix] } }))).toMatch(message);
  });

  it('refuses an empty priority', () => {
    expect(loadError(() => parseConfig({ adce: { priorities: ['high', ''] } }))).toMatch(/adce\.priorities\[1\] = "": must not be empty/);
  });
});

describe('pipelineOperations: names or { name, expectedEveryHours }', () => {
  it('normalizes both forms to objects; a plain name has no cadence', () => {
    const config = parseConfig({ pipelineOperations: ['Validation', { name: 'DataExtraction', expectedEveryHours: 24 }, { name: 'S3Upload', expectedEveryHours: 0.25 }] });
    expect(config.pipelineOperations).toEqual([{ name: 'Validation' }, { name: 'DataExtraction', expectedEveryHours: 24 }, { name: 'S3Upload', expectedEveryHours: 0.25 }]);
    expect(operationNames(config)).toEqual(['Validation', 'DataExtraction', 'S3Upload']);
    expect(scheduledOperations(config)).toEqual([{ name: 'DataExtraction', expectedEveryMinutes: 1440 }, { name: 'S3Upload', expectedEveryMinutes: 15 }]);
    // The Lambdas re-parse the parsed config: the normalized form is valid input and unchanged.
    expect(parseConfig(JSON.parse(JSON.stringify(config))).pipelineOperations).toEqual(config.pipelineOperations);
  });

  it.each([
    [[{ name: 'X', expectedEveryHours: 85 }], /pipelineOperations\[0\]\.expectedEveryHours = 85: must be <= 84/],
    [[{ name: 'X', expectedEveryHours: 0.01 }], /expectedEveryHours = 0\.01: must be a whole number of minutes/],
    [[{ name: 'X', expectedEveryHours: 0 }], /expectedEveryHours = 0: must be > 0/],
    [[{ name: 'X', every: 24 }], /unknown key "pipelineOperations\[0\]\.every"/],
    [['Load', { name: 'Load', expectedEveryHours: 1 }], /pipelineOperations\[1\] = .*operation "Load" is listed twice/],
    [['2ndStep'], /pipelineOperations\[0\] = "2ndStep": must start with a letter/],
  ])('refuses %j with a message naming the entry', (value, message) => {
    expect(loadError(() => parseConfig({ pipelineOperations: value }))).toMatch(message);
  });
});

describe('who gets which alert', () => {
  const people = parseConfig({ alertEmails: ['ops@example.com', 'lead@example.com'], alertPhoneNumbers: ['+14155550123'] });

  it('critical reaches every email and every phone, warning only the emails', () => {
    expect(SEVERITIES).toEqual(['critical', 'warning']);
    expect(recipientsFor(people, 'critical')).toEqual([
      { protocol: 'email', endpoint: 'ops@example.com' },
      { protocol: 'email', endpoint: 'lead@example.com' },
      { protocol: 'sms', endpoint: '+14155550123' },
    ]);
    expect(recipientsFor(people, 'warning')).toEqual([
      { protocol: 'email', endpoint: 'ops@example.com' },
      { protocol: 'email', endpoint: 'lead@example.com' },
    ]);
  });

  it('a phone-only config pages on critical and reaches nobody on warning', () => {
    const phoneOnly = parseConfig({ alertPhoneNumbers: ['+442071838750'] });
    expect(recipientsFor(phoneOnly, 'critical')).toEqual([{ protocol: 'sms', endpoint: '+442071838750' }]);
    expect(recipientsFor(phoneOnly, 'warning')).toEqual([]);
  });
});

describe('profiles', () => {
  const features = (config: object) => Object.fromEntries(PROFILE_FEATURES.map((f) => [f.key, featureValue(config, f.key)]));
  const all = (value: boolean) => Object.fromEntries(PROFILE_FEATURES.map((f) => [f.key, value]));

  it('standard (the default) turns every profile feature off; full turns every one on; costBudgetUsd defaults to 3', () => {
    const standard = parseConfig({});
    expect(standard.profile).toBe('standard');
    expect(standard.costBudgetUsd).toBe(3);
    expect(features(standard)).toEqual(all(false));
    expect(features(parseConfig({ profile: 'full' }))).toEqual(all(true));
  });

  it.each(PROFILE_FEATURES.map((f) => f.key))('%s set explicitly wins over either profile', (key) => {
    const set = (value: boolean) => key.split('.').reduceRight<unknown>((inner, k) => ({ [k]: inner }), value) as Record<string, unknown>;
    const merge = (profile: string, value: boolean) => ({ profile, ...set(value) });
    expect(featureValue(parseConfig(merge('standard', true)), key)).toBe(true);
    expect(featureValue(parseConfig(merge('full', false)), key)).toBe(false);
    // Every other feature keeps its profile's default.
    const others = PROFILE_FEATURES.filter((f) => f.key !== key).map((f) => featureValue(parseConfig(merge('full', false)), f.key));
    expect(others.every((v) => v === true)).toBe(true);
  });

  it('a resolved config parses to itself (the Lambdas re-parse MONITOR_CONFIG)', () => {
    const full = parseConfig({ profile: 'full', healthRollup: false });
    expect(parseConfig(JSON.parse(JSON.stringify(full)))).toEqual(full);
  });

  it('an unknown profile or a non-positive costBudgetUsd is refused by name', () => {
    expect(loadError(() => parseConfig({ profile: 'lean' }))).toMatch(/profile = "lean": must be "standard" or "full"/);
    expect(loadError(() => parseConfig({ costBudgetUsd: 0 }))).toMatch(/costBudgetUsd = 0: must be > 0/);
  });
});

describe('chat channels and remediation hooks', () => {
  const team = '0123abcd-0000-4000-8000-0123456789ab';
  const fix = 'arn:aws:lambda:us-east-1:111122223333:function:requeue';

  it('defaults to no channel and no hook; a channel gets both severities unless it names some', () => {
    const none = parseConfig({});
    expect(none.chat).toEqual({ slack: [], teams: [] });
    expect(none.remediation).toEqual([]);
    const c = parseConfig({ chat: { slack: [{ workspaceId: 'T012ABCDEFG', channelId: 'C1' }, { workspaceId: 'T012ABCDEFG', channelId: 'C2', severities: ['critical', 'critical'] }] } });
    expect(c.chat.slack.map((s) => s.severities)).toEqual([['critical', 'warning'], ['critical']]);
  });

  it('names the key and the value of a bad channel, and says what is expected', () => {
    expect(loadError(() => parseConfig({ chat: { slack: [{ workspaceId: 'T012ABCDEFG', channelId: '#alerts' }] } }))).toMatch(
      /chat\.slack\[0\]\.channelId = "#alerts": must be the Slack channel ID .*not its name/,
    );
    expect(loadError(() => parseConfig({ chat: { slack: [{ workspaceId: 'T1', channelId: 'C1', severities: [] }] } }))).toMatch(/chat\.slack\[0\]\.severities = \[\]: must name at least one severity/);
    expect(loadError(() => parseConfig({ chat: { slack: [{ workspaceId: 'T1', channelId: 'C1', severities: ['page'] }] } }))).toMatch(/severities\[0\] = "page": must be one of critical, warning/);
    expect(loadError(() => parseConfig({ chat: { slack: [{ workspaceId: 'T1', channelId: 'C1' }, { workspaceId: 'T1', channelId: 'C1' }] } }))).toMatch(/chat\.slack = .*: lists the same channel twice/);
    expect(loadError(() => parseConfig({ chat: { teams: [{ teamId: 'my-team', tenantId: team, channelId: '19%3aabc%40thread.tacv2' }] } }))).toMatch(/chat\.teams\[0\]\.teamId = "my-team": must be the Microsoft Teams team ID \(a GUID\)/);
    expect(loadError(() => parseConfig({ chat: { teams: [{ teamId: team, tenantId: team, channelId: 'General' }] } }))).toMatch(/chat\.teams\[0\]\.channelId = "General": must be the Teams channel ID from the channel link/);
    expect(loadError(() => parseConfig({ chat: { discord: [] } }))).toMatch(/unknown key "chat\.discord"/);
  });

  it('accepts a Teams channel ID as pasted from the link or decoded, and stores it URL-encoded (idempotent)', () => {
    const c = parseConfig({ chat: { teams: [{ teamId: team, tenantId: team, channelId: '19:abc123@thread.tacv2' }] } });
    expect(c.chat.teams[0]!.channelId).toBe('19%3aabc123%40thread.tacv2');
    expect(parseConfig(JSON.parse(JSON.stringify(c))).chat.teams[0]!.channelId).toBe('19%3aabc123%40thread.tacv2');
  });

  it('a hook needs exactly one of lambdaArn or ssmAutomation, each well formed', () => {
    expect(parseConfig({ remediation: [{ alarm: 'ADCE-QueueStale', lambdaArn: `${fix}:live` }] }).remediation).toEqual([{ alarm: 'ADCE-QueueStale', lambdaArn: `${fix}:live` }]);
    expect(loadError(() => parseConfig({ remediation: [{ alarm: 'ADCE-QueueStale' }] }))).toMatch(/remediation\[0\] = .*: needs exactly one of "lambdaArn" or "ssmAutomation"/);
    expect(loadError(() => parseConfig({ remediation: [{ alarm: 'ADCE-QueueStale', lambdaArn: fix, ssmAutomation: 'Fix' }] }))).toMatch(/needs exactly one of/);
    expect(loadError(() => parseConfig({ remediation: [{ alarm: 'ADCE-QueueStale', lambdaArn: 'requeue' }] }))).toMatch(/remediation\[0\]\.lambdaArn = "requeue": is not a Lambda function ARN/);
    expect(loadError(() => parseConfig({ remediation: [{ alarm: 'ADCE-QueueStale', ssmAutomation: 'x' }] }))).toMatch(/remediation\[0\]\.ssmAutomation = "x": is not an SSM document name/);
    expect(loadError(() => parseConfig({ remediation: [{ alarm: 'ADCE-QueueStale', lambdaArn: fix, parameters: { a: ['b'] } }] }))).toMatch(/"parameters" and "automationAssumeRoleArn" go with "ssmAutomation" only/);
    expect(loadError(() => parseConfig({ remediation: [{ alarm: 'ADCE QueueStale', lambdaArn: fix }] }))).toMatch(/remediation\[0\]\.alarm = "ADCE QueueStale": must be an alarm base name/);
  });
});
