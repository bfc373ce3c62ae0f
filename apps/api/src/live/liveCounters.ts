import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { CampaignChangeListener } from '../../../../adapters/postgres/campaignChanges';
import type { ApiConfig } from '../apiConfig';
import type { CampaignCounters } from '../campaigns/campaignTypes';
import { CampaignsService } from '../campaigns/campaignsService';
import { API_CONFIG } from '../infra/tokens';
import { Coalescer } from './coalescer';

/** At most one recount of a campaign per this long, however many attempts it records. */
export const RECOUNT_INTERVAL_MS = 250;

interface MercuriusPubSub {
  publish(event: { topic: string; payload: unknown }, callback: (err?: unknown) => void): void;
}

/**
 * Live counters: one LISTEN connection for the process (the record and finish steps NOTIFY
 * campaign_changed in their transactions); a campaign somebody watches is recounted at most
 * once per RECOUNT_INTERVAL_MS and its counters published through Mercurius's pubsub to every
 * subscription of it. Campaigns nobody watches are not counted at all.
 */
@Injectable()
export class LiveCounters implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('LiveCounters');
  /** Subscriptions open per campaign. */
  private readonly watchers = new Map<string, number>();
  private readonly coalescer = new Coalescer(RECOUNT_INTERVAL_MS, (id) => this.recount(id));
  private listener: CampaignChangeListener | null = null;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly campaigns: CampaignsService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.listener = new CampaignChangeListener({
      connectionString: this.config.DATABASE_URL,
      onChange: (id) => { if (this.watchers.has(id)) this.coalescer.touch(id); },
      // Changes while the connection was down were not heard: every watched campaign is recounted.
      onReconnect: () => { for (const id of this.watchers.keys()) this.coalescer.touch(id); },
      onError: (err) => this.log.warn(`LISTEN connection lost, reconnecting: ${err.message}`),
    });
    await this.listener.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.coalescer.close();
    await this.listener?.close();
  }

  topic(campaignId: string): string {
    return `campaign_counters:${campaignId}`;
  }

  /**
   * The subscription's events, counted as a watcher of the campaign while it lasts; its first
   * event is the counters of now (every watcher of the campaign gets them too: harmless).
   */
  async *watch(campaignId: string, events: AsyncIterable<unknown>): AsyncGenerator<unknown> {
    this.watchers.set(campaignId, (this.watchers.get(campaignId) ?? 0) + 1);
    try {
      this.coalescer.touch(campaignId);
      for await (const event of events) yield event;
    } finally {
      const left = (this.watchers.get(campaignId) ?? 1) - 1;
      if (left > 0) this.watchers.set(campaignId, left);
      else this.watchers.delete(campaignId);
    }
  }

  private async recount(campaignId: string): Promise<void> {
    if (!this.watchers.has(campaignId)) return;
    let counters: CampaignCounters;
    try {
      counters = await this.campaigns.counters(campaignId);
    } catch (err) {
      this.log.warn(`counters of campaign ${campaignId} not read: ${(err as Error).message}`);
      return;
    }
    const pubsub = (this.adapterHost.httpAdapter.getInstance<FastifyInstance>() as unknown as { graphql: { pubsub: MercuriusPubSub } }).graphql.pubsub;
    pubsub.publish({ topic: this.topic(campaignId), payload: { campaignCounters: counters } }, () => undefined);
  }
}
