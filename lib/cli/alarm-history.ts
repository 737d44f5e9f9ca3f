import { paginateDescribeAlarmHistory } from '@aws-sdk/client-cloudwatch';
import type { CliClients } from './aws';

/** What an alarm's history says happened in a time window: its state changes and its actions. */
export interface AlarmHistorySummary {
  readonly alarm: string;
  /** State changes in time order, e.g. `{ from: 'OK', to: 'ALARM' }`. */
  readonly transitions: Array<{ readonly from: string; readonly to: string; readonly at?: string }>;
  /** Actions CloudWatch ran (an SNS publish, a Lambda invoke), and whether each worked. */
  readonly actions: Array<{ readonly target: string; readonly ok: boolean; readonly at?: string; readonly error?: string }>;
}

/** At most this many history pages (100 items each) are read: a drill produces a handful. */
const MAX_PAGES = 5;

/** Reads the alarm's history from `since` to now, oldest first. */
export async function readAlarmHistory(clients: Pick<CliClients, 'cloudwatch'>, alarm: string, since: Date, until = new Date()): Promise<AlarmHistorySummary> {
  const summary: AlarmHistorySummary = { alarm, transitions: [], actions: [] };
  let pages = 0;
  const pager = paginateDescribeAlarmHistory(
    { client: clients.cloudwatch(), pageSize: 100 },
    { AlarmName: alarm, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], StartDate: since, EndDate: until, ScanBy: 'TimestampAscending' },
  );
  for await (const page of pager) {
    for (const item of page.AlarmHistoryItems ?? []) {
      const at = item.Timestamp?.toISOString();
      const text = item.HistorySummary ?? '';
      if (item.HistoryItemType === 'StateUpdate') {
        const m = /from (\w+) to (\w+)/.exec(text);
        if (m) summary.transitions.push({ from: m[1]!, to: m[2]!, at });
      } else if (item.HistoryItemType === 'Action') {
        const m = /^(Successfully executed|Failed to execute) action (\S+?)\.?(?:\s|$)/.exec(text);
        if (m) summary.actions.push({ target: m[2]!, ok: m[1] === 'Successfully executed', at, error: m[1] === 'Successfully executed' ? undefined : actionError(item.HistoryData, text) });
      }
    }
    pages += 1;
    if (pages >= MAX_PAGES) break;
  }
  return summary;
}

/** Whether the history shows the drill's two changes: into ALARM, then out of it to OK. */
export function showsDrill(history: AlarmHistorySummary): boolean {
  const intoAlarm = history.transitions.findIndex((t) => t.to === 'ALARM');
  return intoAlarm >= 0 && history.transitions.slice(intoAlarm + 1).some((t) => t.from === 'ALARM' && t.to === 'OK');
}

function actionError(data: string | undefined, summary: string): string {
  try {
    const parsed = JSON.parse(data ?? '') as { error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // Not JSON: the summary is all there is.
  }
  return summary;
}
