import { GetSMSAttributesCommand, GetSMSSandboxAccountStatusCommand, ListOriginationNumbersCommand, ListSMSSandboxPhoneNumbersCommand, type PhoneNumberInformation, type SMSSandboxPhoneNumber } from '@aws-sdk/client-sns';
import { awsErrorText } from '../sources/aws-error';
import { isAccessDenied } from './account';
import { deadline } from './clients';
import type { PreflightCheck, PreflightClients, Target } from './types';

/** Pages read at most from the SNS list calls. */
const MAX_PAGES = 20;
/** SNS's SMS spend limit of a new account, USD per month. */
export const DEFAULT_SMS_SPEND_LIMIT_USD = 1;
/** A text to a US number costs about this (base price and carrier fees), USD. */
const US_SMS_USD = 0.0089;

/**
 * SMS prerequisites, for the critical topic's phone numbers: out of the SNS SMS sandbox, or each
 * number verified in it; an active SMS origination number for US (+1) destinations (toll-free,
 * 10DLC or short code, registered); a monthly SMS spend limit above the 1 USD default. Runs only
 * when `alertPhoneNumbers` is set.
 */
export async function checkSms(phones: readonly string[], target: Target, clients: PreflightClients): Promise<PreflightCheck[]> {
  if (phones.length === 0) return [];
  const [sandbox, origination, spend] = await Promise.all([checkSandbox(phones, target, clients), checkOrigination(phones, clients), checkSpendLimit(clients)]);
  return [...sandbox, ...origination, spend];
}

async function pages<T>(fetch: (token?: string) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await fetch(token);
    out.push(...res.items);
    token = res.next;
    if (!token) return out;
  }
  throw new Error(`more than ${MAX_PAGES} pages; stopped`);
}

const cannot = (name: string, err: unknown, permission: string): PreflightCheck => ({
  area: 'sms',
  name,
  status: isAccessDenied(err) ? 'warn' : 'fail',
  detail: `cannot check: ${awsErrorText(err)}`,
  fix: isAccessDenied(err) ? `Allow ${permission} to check.` : 'SMS may not be offered in this region: see "Supported Regions and countries" of Amazon SNS SMS, or deploy elsewhere.',
});

async function checkSandbox(phones: readonly string[], target: Target, clients: PreflightClients): Promise<PreflightCheck[]> {
  const sns = clients.sns();
  let inSandbox: boolean;
  try {
    inSandbox = (await sns.send(new GetSMSSandboxAccountStatusCommand({}), deadline())).IsInSandbox === true;
  } catch (err) {
    return [cannot('SMS sandbox', err, 'sns:GetSMSSandboxAccountStatus')];
  }
  if (!inSandbox) return [{ area: 'sms', name: 'SMS sandbox', status: 'ok', detail: `account ${target.account} is out of the SMS sandbox in ${target.region}: any number can receive texts` }];

  let verified: SMSSandboxPhoneNumber[];
  try {
    verified = await pages(async (NextToken) => {
      const res = await sns.send(new ListSMSSandboxPhoneNumbersCommand({ NextToken }), deadline());
      return { items: res.PhoneNumbers ?? [], next: res.NextToken };
    });
  } catch (err) {
    return [cannot('SMS sandbox', err, 'sns:ListSMSSandboxPhoneNumbers')];
  }
  const exit = `or leave the sandbox (SNS console > Text messaging (SMS) > Exit SMS sandbox; a support case, about a day)`;
  const checks: PreflightCheck[] = [
    { area: 'sms', name: 'SMS sandbox', status: 'ok', detail: `account ${target.account} is in the SMS sandbox in ${target.region}: only verified numbers (at most 10) receive texts` },
  ];
  for (const phone of phones) {
    const entry = verified.find((v) => v.PhoneNumber === phone);
    if (entry?.Status === 'Verified') {
      checks.push({ area: 'sms', name: phone, status: 'ok', detail: 'verified in the SMS sandbox' });
    } else if (entry) {
      checks.push({
        area: 'sms',
        name: phone,
        status: 'fail',
        detail: 'added to the sandbox but not verified: it receives no alert',
        fix: `Enter the code texted to it: \`aws sns verify-sms-sandbox-phone-number --phone-number ${phone} --one-time-password <code> --region ${target.region}\`, ${exit}.`,
      });
    } else {
      checks.push({
        area: 'sms',
        name: phone,
        status: 'fail',
        detail: 'not a verified sandbox number: it receives no alert',
        fix: `\`aws sns create-sms-sandbox-phone-number --phone-number ${phone} --region ${target.region}\`, then verify it with the code it receives, ${exit}.`,
      });
    }
  }
  return checks;
}

async function checkOrigination(phones: readonly string[], clients: PreflightClients): Promise<PreflightCheck[]> {
  const us = phones.filter((p) => p.startsWith('+1'));
  if (us.length === 0) return [];
  const name = 'US origination number';
  let numbers: PhoneNumberInformation[];
  try {
    numbers = await pages(async (NextToken) => {
      const res = await clients.sns().send(new ListOriginationNumbersCommand({ NextToken }), deadline());
      return { items: res.PhoneNumbers ?? [], next: res.NextToken };
    });
  } catch (err) {
    return [cannot(name, err, 'sns:ListOriginationNumbers')];
  }
  const smsUs = numbers.filter((n) => n.Iso2CountryCode === 'US' && (n.NumberCapabilities ?? []).includes('SMS'));
  const active = smsUs.filter((n) => !n.Status || /^active$/i.test(n.Status));
  if (active.length > 0) {
    return [{ area: 'sms', name, status: 'ok', detail: `${active.map((n) => `${n.PhoneNumber} (${n.RouteType ?? 'route ?'})`).join(', ')} can text ${us.join(', ')}` }];
  }
  const pending = smsUs.map((n) => `${n.PhoneNumber} is ${n.Status}`);
  return [
    {
      area: 'sms',
      name,
      status: 'fail',
      detail: `${us.join(', ')} ${us.length > 1 ? 'are' : 'is a'} +1 (US) number${us.length > 1 ? 's' : ''}, and US carriers deliver only from a registered origination identity; the account has ${pending.length ? `none active (${pending.join(', ')})` : 'no SMS-capable US number'}`,
      fix: 'Request a toll-free number (or 10DLC) in AWS End User Messaging SMS and complete its registration (toll-free: up to 15 business days). Canadian +1 numbers need none: ignore this for them.',
    },
  ];
}

async function checkSpendLimit(clients: PreflightClients): Promise<PreflightCheck> {
  const name = 'SMS spend limit';
  try {
    const res = await clients.sns().send(new GetSMSAttributesCommand({ attributes: ['MonthlySpendLimit'] }), deadline());
    const raw = res.attributes?.MonthlySpendLimit;
    const limit = raw === undefined ? DEFAULT_SMS_SPEND_LIMIT_USD : Number(raw);
    const texts = Math.floor(limit / US_SMS_USD);
    const raise = 'Request a higher "SMS monthly spend limit" (Service Quotas / SNS console), then `aws sns set-sms-attributes --attributes MonthlySpendLimit=<USD>`.';
    if (!(limit > 0)) return { area: 'sms', name, status: 'fail', detail: `MonthlySpendLimit is ${raw}: no text is sent`, fix: raise };
    if (limit <= DEFAULT_SMS_SPEND_LIMIT_USD) {
      return { area: 'sms', name, status: 'warn', detail: `${limit} USD a month (the default): about ${texts} texts to US numbers, then SNS stops sending SMS for the rest of the month`, fix: raise };
    }
    return { area: 'sms', name, status: 'ok', detail: `${limit} USD a month (about ${texts} texts to US numbers)` };
  } catch (err) {
    return cannot(name, err, 'sns:GetSMSAttributes');
  }
}
