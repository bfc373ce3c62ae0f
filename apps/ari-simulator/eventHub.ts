// The events side of ARI: one WebSocket per Stasis application, and every event the simulator
// sends goes out here (or is dropped here, to test a client against lost events).
import type http from 'node:http';
import type { Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { ariTime, ASTERISK_ID } from './asteriskFormats';

export class EventHub {
  private readonly wss = new WebSocketServer({ noServer: true });
  /** One WebSocket per app: like Asterisk, a newer connection for the app replaces the older. */
  private readonly apps = new Map<string, WebSocket>();

  /** @param lostEvents event types never delivered (a real Asterisk 22 lost about 2 % of
   * ChannelDestroyed at 50 concurrent originates, docs/architecture.md). */
  constructor(private readonly lostEvents: readonly string[] | undefined) {}

  /** Completes an authorised upgrade of GET /ari/events and registers the socket for `apps`. */
  accept(req: http.IncomingMessage, socket: Socket, head: Buffer, apps: string[]): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.register(ws, apps));
  }

  /** Whether a Stasis application is registered, i.e. has an events WebSocket. */
  has(app: string): boolean {
    return this.apps.has(app);
  }

  emit(app: string, type: string, fields: Record<string, unknown>): void {
    if (this.lostEvents?.includes(type)) return;
    const ws = this.apps.get(app);
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    ws.send(JSON.stringify({ type, timestamp: ariTime(), ...fields, asterisk_id: ASTERISK_ID, application: app }));
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    this.apps.clear();
    await new Promise<void>((resolve) => {
      this.wss.close(() => resolve());
    });
  }

  private register(ws: WebSocket, apps: string[]): void {
    ws.on('error', () => undefined);
    for (const app of apps) {
      const old = this.apps.get(app);
      if (old && old !== ws && old.readyState === WebSocket.OPEN) {
        // events.json ApplicationReplaced: "the newer WebSocket wins, and the older one
        // receives this event".
        old.send(JSON.stringify({ type: 'ApplicationReplaced', timestamp: ariTime(), asterisk_id: ASTERISK_ID, application: app }));
      }
      this.apps.set(app, ws);
    }
    ws.on('close', () => {
      for (const app of apps) if (this.apps.get(app) === ws) this.apps.delete(app);
    });
  }
}
