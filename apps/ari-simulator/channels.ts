// The channel state machine: originate, ring, answer into Stasis, hang up (either side), and
// the events Asterisk sends on each step; plus the channel variables and the checks ARI makes
// before acting on a channel.
import type { AriChannel } from '../../adapters/ari/ariTypes';
import {
  ariTime, causeText, numberFromEndpoint, parseCallerId, REASON_CAUSE, SOFTHANGUP_EXPLICIT,
} from './asteriskFormats';
import { clearTimers, type ChannelIds, type Counters, type SimChannel } from './channelModel';
import type { EventHub } from './eventHub';
import { HttpFailure } from './httpFailure';
import type { Playbacks } from './playbacks';
import {
  FAIL_MS, HANGUP_EARLY_MS, LISTEN_MAX_FLOOR_REAL_MS, LISTEN_MAX_MS, RING_MS, SLOW_RING_MS,
  type BehaviourPicker,
} from './subscriberBehaviour';
import type { TimeScale } from './timeScale';

const DEFAULT_ORIGINATE_TIMEOUT_S = 30; // channels.json: originate `timeout` defaults to 30

export interface ChannelDeps {
  hub: EventHub;
  time: TimeScale;
  picker: BehaviourPicker;
  playbacks: Playbacks;
  counters: Counters;
  ids: ChannelIds;
  /** The channel is ending: whatever the dialplan holds for it (a queue place, an operator) is freed. */
  onEnd: (ch: SimChannel) => void;
}

export class Channels {
  private readonly byId = new Map<string, SimChannel>();

  constructor(private readonly deps: ChannelDeps) {}

  get size(): number {
    return this.byId.size;
  }

  find(id: string): SimChannel | undefined {
    return this.byId.get(id);
  }

  list(): AriChannel[] {
    return [...this.byId.values()].map((c) => c.snap);
  }

  /** Stops every channel without an event, for close(). */
  clear(): void {
    for (const ch of this.byId.values()) clearTimers(ch);
    this.byId.clear();
  }

  get(id: string): SimChannel {
    const ch = this.byId.get(id);
    if (!ch) throw new HttpFailure(404, 'Channel not found');
    return ch;
  }

  /** resource_channels.c find_control(): 404 if gone, 409 if not (yet, or no longer) in Stasis.
   * A channel whose continue waits behind a playback counts as gone from Stasis too. */
  controllable(id: string): SimChannel {
    const ch = this.get(id);
    if (!ch.inStasis || ch.leaving) throw new HttpFailure(409, 'Channel not in Stasis application');
    return ch;
  }

  originate(q: URLSearchParams, body: Record<string, unknown> | undefined, pathId: string | undefined): AriChannel {
    // channels.json: "Other keys in the body object are interpreted as query parameters."
    const param = (k: string): string | undefined => {
      const v = q.get(k) ?? (body && typeof body[k] === 'string' ? (body[k] as string) : undefined);
      return v === null || v === '' ? undefined : v;
    };
    const endpoint = param('endpoint');
    const app = param('app');
    const channelId = pathId ?? param('channelId');
    // Messages as resource_channels.c ari_channels_handle_originate_with_id() words them.
    if (!endpoint) throw new HttpFailure(400, 'Endpoint must be specified');
    const slash = endpoint.indexOf('/');
    if (slash <= 0 || slash === endpoint.length - 1) throw new HttpFailure(400, 'Invalid endpoint specified');
    if (!app) {
      if (param('extension')) throw new HttpFailure(400, 'The ARI simulator only originates into a Stasis application (app)');
      throw new HttpFailure(400, 'Application or extension must be specified');
    }
    if (!this.deps.hub.has(app)) {
      throw new HttpFailure(400, `Stasis application '${app}' is not registered (no events WebSocket connected for it)`);
    }
    const variables = body?.variables;
    if (variables !== undefined && (typeof variables !== 'object' || variables === null
      || Object.values(variables).some((v) => typeof v !== 'string'))) {
      throw new HttpFailure(400, "Each value in 'variables' must be a string");
    }
    if (channelId !== undefined && this.byId.has(channelId)) {
      throw new HttpFailure(409, 'Channel with given unique ID already exists');
    }
    const timeoutRaw = Number(param('timeout') ?? DEFAULT_ORIGINATE_TIMEOUT_S);
    const timeoutS = Number.isFinite(timeoutRaw) && timeoutRaw !== 0 ? timeoutRaw : DEFAULT_ORIGINATE_TIMEOUT_S;

    const { counters, ids } = this.deps;
    const number = numberFromEndpoint(endpoint);
    const behaviour = this.deps.picker.pick(number);
    const now = Date.now();
    const id = channelId ?? ids.nextId(now);
    // chan_pjsip names a channel after the endpoint: PJSIP/<number>@<endpoint> gives
    // PJSIP/<endpoint>-0000002a.
    const afterTech = endpoint.slice(slash + 1);
    const at = afterTech.indexOf('@');
    const device = at >= 0 ? afterTech.slice(at + 1) : afterTech;
    const name = `${endpoint.slice(0, slash)}/${device}-${ids.nextNameSuffix()}`;
    const cid = parseCallerId(param('callerId'));
    const args = param('appArgs')?.split(',') ?? [];

    const ch: SimChannel = {
      snap: {
        id, name, state: 'Down', protocol_id: '',
        // Asterisk sets both caller and connected line to the originate's callerId.
        caller: { ...cid }, connected: { ...cid },
        accountcode: '',
        dialplan: { context: 'default', exten: 's', priority: 1, app_name: '', app_data: '' },
        creationtime: ariTime(now), language: 'en',
      },
      app, args, behaviour,
      ringLimitMs: timeoutS < 0 ? null : timeoutS * 1000,
      inStasis: false, ended: false, timers: [], playing: null, queue: [], dtmfArmed: false,
      vars: new Map(), leaving: null, inQueue: null, operator: null,
    };
    for (const [k, v] of Object.entries((variables ?? {}) as Record<string, string>)) assignVariable(ch, k, v);
    this.byId.set(id, ch);
    counters.originates++;
    counters.byBehaviour[behaviour] = (counters.byBehaviour[behaviour] ?? 0) + 1;
    if (this.byId.size > counters.maxActiveChannels) counters.maxActiveChannels = this.byId.size;
    this.startCall(ch);
    return ch.snap;
  }

  /** The subscriber hangs up: the request carries the cause, then Stasis ends. */
  remoteHangup(ch: SimChannel, cause: number): void {
    if (ch.ended) return;
    this.deps.hub.emit(ch.app, 'ChannelHangupRequest', { cause, channel: ch.snap });
    this.destroy(ch, cause);
  }

  /** DELETE /channels/{id}, with ?reason or ?reason_code giving the ChannelDestroyed cause. */
  appHangup(id: string, q: URLSearchParams): void {
    const ch = this.get(id);
    const reason = q.get('reason') || undefined;
    const reasonCode = q.get('reason_code') || undefined;
    if (reason && reasonCode) throw new HttpFailure(400, "The reason and reason_code can't both be specified");
    let cause = 16;
    if (reasonCode) {
      cause = Number.parseInt(reasonCode, 10);
      if (!Number.isFinite(cause)) throw new HttpFailure(400, 'Invalid reason for hangup reason code provided');
    } else if (reason) {
      const c = REASON_CAUSE[reason];
      if (c === undefined) throw new HttpFailure(400, 'Invalid reason for hangup reason provided');
      cause = c;
    }
    this.deps.hub.emit(ch.app, 'ChannelHangupRequest', { cause: SOFTHANGUP_EXPLICIT, soft: true, channel: ch.snap });
    this.destroy(ch, cause);
  }

  /** resource_channels.c ast_ari_channels_set_channel_var(): 400 without a name, then find_control(). */
  setVariable(id: string, q: URLSearchParams): void {
    const variable = q.get('variable');
    if (!variable) throw new HttpFailure(400, 'Variable name is required');
    const ch = this.get(id);
    if (!ch.inStasis) throw new HttpFailure(409, 'Channel not in Stasis application');
    assignVariable(ch, variable, q.get('value'));
  }

  /** ast_ari_channels_get_channel_var(): works on any channel, in Stasis or not. */
  getVariable(id: string, q: URLSearchParams): string {
    const variable = q.get('variable');
    if (!variable) throw new HttpFailure(400, 'Variable name is required');
    const ch = this.byId.get(id);
    if (!ch) throw new HttpFailure(404, 'Provided channel was not found');
    if (variable === 'CHANNEL(language)') return ch.snap.language;
    const value = ch.vars.get(variable);
    if (value === undefined) throw new HttpFailure(404, 'Provided variable was not found');
    return value;
  }

  private startCall(ch: SimChannel): void {
    const { time } = this.deps;
    const b = ch.behaviour;
    // A SIP failure answer (486, 404, 503) comes without a 180: no Ringing state, and
    // Asterisk reports a channel that never entered Stasis with ChannelDestroyed alone.
    if (b === 'busy') { time.after(ch, FAIL_MS, () => this.destroy(ch, 17)); return; }
    if (b === 'unallocated') { time.after(ch, FAIL_MS, () => this.destroy(ch, 1)); return; }
    if (b === 'congestion') { time.after(ch, FAIL_MS, () => this.destroy(ch, 34)); return; }

    time.after(ch, 0, () => this.setState(ch, 'Ringing'));
    const ringMs = b === 'no_answer' ? Infinity : b === 'slow_answer' ? SLOW_RING_MS : RING_MS;
    // Compared unscaled, so timeScale 0 keeps the same outcome.
    const limit = ch.ringLimitMs ?? LISTEN_MAX_MS;
    if (limit <= ringMs) time.after(ch, limit, () => this.destroy(ch, 19));
    else time.after(ch, ringMs, () => this.answer(ch));
  }

  private setState(ch: SimChannel, state: AriChannel['state']): void {
    ch.snap.state = state;
    this.deps.hub.emit(ch.app, 'ChannelStateChange', { channel: ch.snap });
  }

  private answer(ch: SimChannel): void {
    const { hub, time } = this.deps;
    this.setState(ch, 'Up');
    ch.snap.protocol_id = `${ch.snap.id}@ari-simulator`;
    ch.snap.dialplan = {
      ...ch.snap.dialplan, app_name: 'Stasis', app_data: [ch.app, ...ch.args].join(','),
    };
    ch.inStasis = true;
    hub.emit(ch.app, 'StasisStart', { args: ch.args, channel: ch.snap });
    if (ch.behaviour === 'answer_hangup_early') {
      time.after(ch, HANGUP_EARLY_MS, () => this.remoteHangup(ch, 16));
      return;
    }
    if (ch.behaviour === 'answer_press_1') ch.dtmfArmed = true;
    const listenRealMs = Math.max(time.real(LISTEN_MAX_MS), LISTEN_MAX_FLOOR_REAL_MS);
    ch.timers.push(setTimeout(() => this.remoteHangup(ch, 16), listenRealMs));
  }

  /**
   * Ends the channel the way Asterisk reports it: a playback under way finishes ('done')
   * before StasisEnd, StasisEnd only if the channel had entered Stasis, ChannelDestroyed last.
   */
  private destroy(ch: SimChannel, cause: number): void {
    if (ch.ended) return;
    ch.ended = true;
    clearTimers(ch);
    ch.leaving = null;
    this.deps.onEnd(ch);
    this.deps.playbacks.endWith(ch);
    if (ch.inStasis) {
      ch.inStasis = false;
      this.deps.hub.emit(ch.app, 'StasisEnd', { channel: ch.snap });
    }
    this.deps.hub.emit(ch.app, 'ChannelDestroyed', { cause, cause_txt: causeText(cause), channel: ch.snap });
    this.byId.delete(ch.snap.id);
  }
}

/** pbx_builtin_setvar_helper(): no value deletes the variable; CHANNEL(language) sets the language. */
function assignVariable(ch: SimChannel, name: string, value: string | null): void {
  if (name === 'CHANNEL(language)') {
    if (value) ch.snap.language = value;
    return;
  }
  if (value === null) ch.vars.delete(name);
  else ch.vars.set(name, value);
}
