import { DateTime } from 'luxon';
import { countAnswerHistory } from '../adapters/postgres/answerRates';
import type { HourProfile } from '../apps/ari-simulator/simulator';
import { contactWorkflowId } from '../domain/ids';
import type { StrategyChoice } from '../domain/strategies/strategy';
import type { ContactResult } from '../domain/types';
import { createTestCampaign } from '../test/fixtures';
import { startSkippingWorld } from '../test/skippingWorld';

// Does learning when people answer pay? The same simulated population is called twice, once
// under byOutcome and once under bestHour, each in a world of its own (a fresh database, so
// bestHour learns only from its own calls): Temporal's time-skipping test server (days pass
// in seconds), the real contact workflow and activities on Postgres, and the ARI simulator
// whose subscribers answer by their local hour (apps/ari-simulator/hourProfiles.ts), read on
// the test server's clock. Three groups of equal size, all in Moscow, answer 60 % of calls in
// their hours and 8 % otherwise: mornings 09–11, lunch 12–14, evenings 18–21. The campaign
// calls 09:00–21:00 every day, no legal caps (they would treat both alike), every contact starts
// on a Monday at 09:00, and both strategies have the same budget of attempts per person.
//
//   source ~/.cache/dialer/stack.env; TEMPORAL_TEST_SERVER_PATH=... npx tsx bench/bestHour.ts [contacts=300] [attempts=4] [seed=1]
//   npm run bench:besthour -- [contacts] [attempts] [seed]

const contacts = Number(process.argv[2] ?? 300);
const budget = Number(process.argv[3] ?? 4);
const seed = Number(process.argv[4] ?? 1);

const ZONE = 'Europe/Moscow';
const GROUPS: { name: string; prefix: string; hours: string }[] = [
  { name: 'mornings 09-11', prefix: '7903', hours: '9-11' },
  { name: 'lunch 12-14', prefix: '7926', hours: '12-14' },
  { name: 'evenings 18-21', prefix: '7916', hours: '18-21' },
];
const PROFILES: HourProfile[] = GROUPS.map((g) => ({ match: `^${g.prefix}`, zone: ZONE, hours: { [g.hours]: 0.6 }, otherwise: 0.08 }));

const STRATEGIES: { label: string; choice: StrategyChoice }[] = [
  {
    // Retries every 3 hours: four attempts cover 09, 12, 15 and 18, one in each group's hours.
    label: 'byOutcome (no answer: retry every 3 h)',
    choice: { name: 'byOutcome', version: 1, params: { no_answer: { retries: budget - 1, intervalSeconds: 3 * 3600 }, maxAttemptsPerContact: budget } },
  },
  {
    label: 'bestHour (defaults)',
    choice: { name: 'bestHour', version: 1, params: { maxAttemptsPerNumber: budget, maxAttemptsPerContact: budget } },
  },
];

interface Figures {
  label: string;
  reached: number;
  attempts: number;
  byGroup: { name: string; reached: number; attempts: number }[];
  wallS: number;
  simulatedDays: number;
  /** Calls outside 09:00–21:00 Moscow time: must be none. */
  outside: number;
  countQueryMs: number;
}

function phoneOf(i: number): string {
  const group = GROUPS[i % GROUPS.length];
  return `+${group.prefix}${String(1_000_000 + i).padStart(7, '0')}`;
}

async function runOne(label: string, choice: StrategyChoice): Promise<Figures> {
  let serverNow = Date.now();
  // The subscribers read the hour on the test server's clock, which the worker's clock keeps
  // up to date right before every originate (the call activity asks it for the last gate).
  const world = await startSkippingWorld({ hourProfiles: PROFILES, clock: () => serverNow, seed, timeScale: 0.01 });
  const wall = Date.now();
  try {
    const { env, db } = world;
    await world.startWorker({ clock: async () => (serverNow = await env.currentTimeMs()) });
    const campaignId = await createTestCampaign(db.pool, {
      id: `besthour-${choice.name.toLowerCase()}`, timeZone: ZONE, windowStart: '09:00', windowEnd: '21:00', legalPolicy: 'none',
      maxAttemptsPerNumber: budget, retryIntervalSeconds: 3 * 3600, strategy: choice,
    });
    const { rows } = await db.pool.query<{ id: string; external_id: string }>(
      `INSERT INTO contact (campaign_id, external_id) SELECT $1, 'p' || g FROM generate_series(0, $2 - 1) g RETURNING id, external_id`,
      [campaignId, contacts]);
    for (const r of rows) {
      await db.pool.query('INSERT INTO contact_phone (contact_id, position, e164, raw) VALUES ($1, 1, $2, $2)', [r.id, phoneOf(Number(r.external_id.slice(1)))]);
    }
    // Every contact starts on the next Monday at 09:00 in Moscow.
    const now = await env.currentTimeMs();
    const monday = DateTime.fromMillis(now, { zone: ZONE }).startOf('week').plus({ weeks: 1, hours: 9 }).toMillis();
    await env.sleep(monday - now);
    const handles = [];
    for (const r of rows) {
      handles.push(await env.client.workflow.start<(i: { campaignId: string; contactId: number }) => Promise<ContactResult>>('contactWorkflow', {
        workflowId: contactWorkflowId(campaignId, r.external_id), taskQueue: world.config.TEMPORAL_TASK_QUEUE,
        args: [{ campaignId, contactId: Number(r.id) }],
      }));
    }
    // One result at a time: the test server's time-skipping lock breaks under concurrent waits.
    for (const h of handles) await h.result();

    const { rows: perContact } = await db.pool.query<{ e164: string; attempts: number; reached: boolean }>(
      `SELECT e164, count(*)::int AS attempts, bool_or(outcome = 'answered') AS reached
         FROM attempt WHERE campaign_id = $1 AND outcome <> 'refused' GROUP BY e164`, [campaignId]);
    // From the start to the last call (the test server's clock may run on once all is idle).
    const { rows: [span] } = await db.pool.query<{ last: Date; outside: number }>(
      `SELECT max(started_at) AS last,
              count(*) FILTER (WHERE extract(hour FROM started_at AT TIME ZONE $2) NOT BETWEEN 9 AND 20)::int AS outside
         FROM attempt WHERE campaign_id = $1 AND outcome <> 'refused'`, [campaignId, ZONE]);
    const simulatedDays = (span.last.getTime() - monday) / 86_400_000;
    const byGroup = GROUPS.map((g) => {
      const mine = perContact.filter((c) => c.e164.startsWith(`+${g.prefix}`));
      return { name: g.name, reached: mine.filter((c) => c.reached).length, attempts: mine.reduce((s, c) => s + c.attempts, 0) };
    });
    // What one decision's count costs on this campaign's rows.
    const t = performance.now();
    const repeats = 50;
    for (let i = 0; i < repeats; i++) {
      await countAnswerHistory(db.pool, {
        campaignId, position: 1, e164: phoneOf(i), zone: ZONE, nowMs: await env.currentTimeMs(), lookbackDays: 60, prefixDigits: 4,
      });
    }
    return {
      label, byGroup, simulatedDays, outside: span.outside,
      reached: byGroup.reduce((s, g) => s + g.reached, 0),
      attempts: byGroup.reduce((s, g) => s + g.attempts, 0),
      wallS: (Date.now() - wall) / 1000,
      countQueryMs: (performance.now() - t) / repeats,
    };
  } finally {
    await world.close();
  }
}

async function main(): Promise<void> {
  console.log(`bench: bestHour against byOutcome on ${contacts} simulated subscribers (${GROUPS.map((g) => g.name).join(', ')}: 60 % answer then, 8 % otherwise), ${budget} attempts each at most, seed ${seed}`);
  const results: Figures[] = [];
  for (const s of STRATEGIES) {
    const f = await runOne(s.label, s.choice);
    results.push(f);
    console.log(`\n${f.label}`);
    console.log(`  people reached            ${f.reached} of ${contacts} (${((100 * f.reached) / contacts).toFixed(1)} %)`);
    console.log(`  attempts                  ${f.attempts}`);
    console.log(`  attempts per person reached ${(f.attempts / Math.max(1, f.reached)).toFixed(2)}`);
    for (const g of f.byGroup) console.log(`    ${g.name.padEnd(16)} reached ${g.reached}, attempts ${g.attempts}`);
    console.log(`  calls outside 09-21 local ${f.outside}; first to last call ${f.simulatedDays.toFixed(1)} simulated days, wall ${f.wallS.toFixed(0)} s, answer-count query ${f.countQueryMs.toFixed(1)} ms`);
  }
  const [base, best] = results;
  console.log(`\nbestHour reached ${best.reached - base.reached >= 0 ? '+' : ''}${best.reached - base.reached} people with ` +
    `${(best.attempts / Math.max(1, best.reached)).toFixed(2)} attempts per person reached against ${(base.attempts / Math.max(1, base.reached)).toFixed(2)}`);
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
