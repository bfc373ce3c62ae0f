import { insertAttempt } from '../adapters/postgres/attempts';
import { createCampaign } from '../adapters/postgres/campaigns';
import type { AttemptRecord } from '../domain/types';
import { createTestDatabase, type TestDatabase } from './testDatabase';

// The deletion of a contact's personal data terminates its workflow, but a record step already
// running may still write its attempt afterwards: that attempt is kept anonymous like the
// rest, never with the number or the text the deletion removed.

let db: TestDatabase;
let kept: number;
let erased: number;

beforeAll(async () => {
  db = await createTestDatabase();
  await createCampaign(db.pool, { id: 'erasure', name: 'Erasure', callerId: '+74951112233' }, 'test');
  const { rows } = await db.pool.query<{ id: string }>(
    `INSERT INTO contact (campaign_id, external_id, personal_data_deleted_at)
     VALUES ('erasure', 'kept', NULL), ('erasure', 'deleted-2', now()) RETURNING id`);
  [kept, erased] = rows.map((r) => Number(r.id));
});
afterAll(async () => { await db?.drop(); });

const attempt = (contactId: number, seq: number): AttemptRecord => ({
  workflowId: `contact/erasure/${contactId}`, seq, campaignId: 'erasure', contactId, phonePosition: 1,
  e164: '+79161234567', numberAttempt: 1, messageText: 'Здравствуйте, Иван Петрович', countUnanswered: false,
  zones: ['Europe/Moscow'],
  result: {
    outcome: 'answered', gate: { allowed: true, checks: [], checkedAt: '2026-12-01T10:00:00.000Z' }, channelId: 'c1',
    hangupCause: 16, dtmf: null, listenedMs: 9000, startedAt: '2026-12-01T10:00:00.000Z',
    answeredAt: '2026-12-01T10:00:05.000Z', endedAt: '2026-12-01T10:00:15.000Z',
  },
});

it('writes the number and the text of a contact whose data is there', async () => {
  const { id } = await insertAttempt(db.pool, attempt(kept, 1));
  const { rows: [r] } = await db.pool.query('SELECT e164, message_text, outcome FROM attempt WHERE id = $1', [id]);
  expect(r).toEqual({ e164: '+79161234567', message_text: 'Здравствуйте, Иван Петрович', outcome: 'answered' });
});

it('writes neither for a contact whose personal data was deleted meanwhile, and still counts the attempt', async () => {
  const { id, inserted } = await insertAttempt(db.pool, attempt(erased, 1));
  expect(inserted).toBe(true);
  const { rows: [r] } = await db.pool.query('SELECT e164, message_text, outcome FROM attempt WHERE id = $1', [id]);
  expect(r).toEqual({ e164: null, message_text: null, outcome: 'answered' });
  expect((await insertAttempt(db.pool, attempt(erased, 1))).inserted).toBe(false);
});
