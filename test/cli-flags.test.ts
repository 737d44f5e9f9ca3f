import { describe, expect, it } from 'vitest';
import { UsageError, parseDurationFlag, parseNumberFlag } from '../lib/cli/flags';
import { main } from '../lib/cli/main';
import { captureIO, configFile } from './cli-helpers';

const config = configFile();

describe('parseDurationFlag', () => {
  it.each([
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['2h', 7_200_000],
    ['1.5h', 5_400_000],
    ['1h30m', 5_400_000],
    ['1d', 86_400_000],
    ['250ms', 250],
  ])('reads %j as %d ms', (text, ms) => {
    expect(parseDurationFlag('--max-duration', text)).toBe(ms);
  });

  it.each(['', '2', '2 h', 'h', '-1h', '1x', '1h-'])('refuses %j, naming the flag and the text', (text) => {
    expect(() => parseDurationFlag('--max-duration', text)).toThrow(UsageError);
    expect(() => parseDurationFlag('--max-duration', text)).toThrow(`--max-duration ${JSON.stringify(text)} is not a duration`);
  });

  it('refuses zero and more than setTimeout can wait', () => {
    expect(() => parseDurationFlag('--max-duration', '0s')).toThrow('--max-duration 0s must be at least 1 ms.');
    expect(() => parseDurationFlag('--max-duration', '25d')).toThrow('--max-duration 25d must be at most 24d.');
  });
});

describe('parseNumberFlag', () => {
  it.each([
    ['12.5', 12.5],
    [' 3 ', 3],
    ['-0.25', -0.25],
    ['1e3', 1000],
    ['.5', 0.5],
  ])('reads %j as %d', (text, value) => {
    expect(parseNumberFlag('--x', text)).toBe(value);
  });

  it.each(['', '   ', 'abc', 'NaN', 'Infinity', '0x10', '1,5', '12s'])('refuses %j, naming the flag and the text', (text) => {
    expect(() => parseNumberFlag('--wait-seconds', text)).toThrow(UsageError);
    expect(() => parseNumberFlag('--wait-seconds', text)).toThrow(`--wait-seconds ${JSON.stringify(text)} is not a number.`);
  });

  it('checks the range inclusively and says which range', () => {
    expect(parseNumberFlag('--h', '0', { min: 0, max: 24 })).toBe(0);
    expect(parseNumberFlag('--h', '24', { min: 0, max: 24 })).toBe(24);
    expect(() => parseNumberFlag('--h', '24.5', { min: 0, max: 24 })).toThrow('--h 24.5 must be a number from 0 to 24.');
    expect(() => parseNumberFlag('--n', '-1', { min: 0 })).toThrow('--n -1 must be a number >= 0.');
    expect(() => parseNumberFlag('--n', 'lots', { min: 0 })).toThrow('--n "lots" is not a number (expected a number >= 0).');
  });

  it('every numeric flag of the CLI reads the same way: "" is refused by put and fire-drill alike (plain Number() would read it as 0)', async () => {
    const put = captureIO();
    expect(await main(['--config', config, 'put', '--metric', 'S3UploadFailures', '--value', ''], put)).toBe(2);
    expect(put.stderr).toMatch(/--value "" is not a number/);
    const drill = captureIO();
    expect(await main(['--config', config, 'fire-drill', 'ADCE-HighFailureRate', '--wait-seconds', ''], drill)).toBe(2);
    expect(drill.stderr).toMatch(/--wait-seconds "" is not a number \(expected a number from 0 to 3600\)/);
  });
});
