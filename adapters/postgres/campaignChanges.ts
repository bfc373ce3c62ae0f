import { Client } from 'pg';
import type { Queryable } from './transaction';

// "A campaign's counters changed": the steps that change them (an attempt recorded, a contact
// finished) say so with NOTIFY inside their own transaction, so the message leaves only if the
// change commits, and right when it does. Listeners (the API's live counters) hold one LISTEN
// connection and recount the campaign; nobody polls workflows or tables.

export const CAMPAIGN_CHANGED = 'campaign_changed';

/** Inside the transaction that changed the campaign's counters (delivered at its commit). */
export async function notifyCampaignChanged(db: Queryable, campaignId: string): Promise<void> {
  await db.query('SELECT pg_notify($1, $2)', [CAMPAIGN_CHANGED, campaignId]);
}

/** The same, for the campaign of a contact. */
export async function notifyContactsCampaignChanged(db: Queryable, contactId: number): Promise<void> {
  await db.query('SELECT pg_notify($1, campaign_id) FROM contact WHERE id = $2', [CAMPAIGN_CHANGED, contactId]);
}

export interface CampaignChangeListenerOptions {
  connectionString: string;
  /** A campaign changed (its id). */
  onChange: (campaignId: string) => void;
  /** The connection was (re)made: changes while it was down were missed. */
  onReconnect?: () => void;
  onError?: (err: Error) => void;
  /** Pause before reconnecting; default 1 s. */
  retryMs?: number;
}

/**
 * One LISTEN connection, reconnected after a failure (then onReconnect, since notifications
 * sent while it was down are lost). Not from a pool: a pooled client is handed to others.
 */
export class CampaignChangeListener {
  private client: Client | null = null;
  private closed = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(private readonly opts: CampaignChangeListenerOptions) {}

  /** Resolves once the first LISTEN is in place (rejects when the first connection fails). */
  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.opts.connectionString });
    client.on('notification', (msg) => {
      if (msg.channel === CAMPAIGN_CHANGED && msg.payload) this.opts.onChange(msg.payload);
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('LISTEN connection ended')));
    await client.connect();
    await client.query(`LISTEN ${CAMPAIGN_CHANGED}`);
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
  }

  private lost(client: Client, err: Error): void {
    if (this.closed || this.client !== client) return;
    this.client = null;
    this.opts.onError?.(err);
    client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      this.connect().then(() => this.opts.onReconnect?.(), (err: Error) => {
        this.opts.onError?.(err);
        this.scheduleReconnect();
      });
    }, this.opts.retryMs ?? 1000);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}
