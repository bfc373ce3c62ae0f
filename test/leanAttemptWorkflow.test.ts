import type { WorkflowHandle } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { AesGcmPayloadCodec } from '../adapters/temporal/payloadCodec';
import { startCampaign } from '../adapters/temporal/workflowStarters';
import { campaignWorkflowId, contactWorkflowId } from '../domain/ids';
import { createTestCampaign, insertContact } from './fixtures';
import { startWorld, type StackWorld } from './stackWorker';

// The lean attempt ('lean-attempt') on the real worker, Postgres and the simulator: a contact
// answered on its first attempt, with a message whose pieces the campaign warmed, costs one
// local activity before the call (the plan, the gate, the message) and one after it (the
// attempt and the contact's end), and one activity: the call.

jest.setTimeout(300_000);

let world: StackWorld;

beforeAll(async () => { world = await startWorld(); });
afterAll(async () => { await world?.close(); });

const codec = () => new AesGcmPayloadCodec(world.config.DIALER_PAYLOAD_KEYS);

/** The history's events by kind, the local activities by type (their markers) and the activities by type. */
async function shape(handle: WorkflowHandle): Promise<{ locals: string[]; activities: string[]; patches: number; events: number }> {
  const history = await handle.fetchHistory();
  const locals: string[] = [];
  const activities: string[] = [];
  let patches = 0;
  for (const e of history.events ?? []) {
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled) activities.push(scheduled.activityType?.name ?? '');
    const marker = e.markerRecordedEventAttributes;
    if (!marker) continue;
    if (marker.markerName === 'core_patch') { patches++; continue; }
    const data = marker.details?.data?.payloads?.[0];
    if (!data) continue;
    const [plain] = await codec().decode([data as Payload]);
    const m = JSON.parse(Buffer.from(plain.data ?? new Uint8Array()).toString('utf8')) as { activity_type?: string };
    if (m.activity_type) locals.push(m.activity_type);
  }
  return { locals, activities, patches, events: history.events?.length ?? 0 };
}

test('answered at once: openAndGate, the call, recordAndFinish; the attempt row and the contact\'s end are written', async () => {
  const { pool } = world.db;
  const text = 'Здравствуйте! Это тестовый звонок, короткий путь.';
  const campaignId = await createTestCampaign(pool, { template: text, state: 'draft', maxAttemptsPerNumber: 1, ringTimeoutSeconds: 5 });
  const contactId = await insertContact(pool, campaignId, 'c0', ['+79163000010']);
  await startCampaign({ pool, temporal: world.client, taskQueue: world.config.TEMPORAL_TASK_QUEUE }, campaignId, 'test', { pollIntervalMs: 200 });
  expect(await world.client.workflow.getHandle(campaignWorkflowId(campaignId)).result()).toMatchObject({ state: 'completed' });
  const handle = world.client.workflow.getHandle(contactWorkflowId(campaignId, 'c0'));
  expect(await handle.result()).toMatchObject({ state: 'done', outcome: 'answered', attempts: 1 });

  const s = await shape(handle);
  expect(s.locals).toEqual(['openAndGate', 'recordAndFinish']);
  expect(s.activities).toEqual(['call']);
  // Only the lean attempt's own patch marker: the earlier patches are its given.
  expect(s.patches).toBe(1);

  const attempts = (await pool.query('SELECT outcome, message_text, number_attempt FROM attempt WHERE contact_id = $1', [contactId])).rows;
  expect(attempts).toEqual([{ outcome: 'answered', message_text: text, number_attempt: 1 }]);
  const contact = (await pool.query('SELECT state, outcome, attempts, finished_at FROM contact WHERE id = $1', [contactId])).rows[0];
  expect(contact).toMatchObject({ state: 'done', outcome: 'answered', attempts: 1 });
  expect(contact.finished_at).not.toBeNull();
  const slots = (await pool.query('SELECT state FROM call_reservation WHERE contact_id = $1', [contactId])).rows;
  expect(slots).toEqual([{ state: 'counted' }]);
  expect((await pool.query('SELECT 1 FROM contact_wait WHERE contact_id = $1', [contactId])).rowCount).toBe(0);
});
