// Playbacks on a channel: they run one after another in the channel's control queue, with the
// events res_stasis_playback.c sends, and lengths by media scheme (sound: 1.5 s, number: 0.4 s
// a digit, digits: 0.3 s a digit, recording: 2 s, anything else 1 s).
import type { AriPlayback } from '../../adapters/ari/ariTypes';
import type { DialplanTarget, SimChannel, SimPlayback } from './channelModel';
import type { EventHub } from './eventHub';
import { HttpFailure } from './httpFailure';
import { DTMF_AFTER_PLAYBACK_MS, DTMF_DURATION_MS } from './subscriberBehaviour';
import type { TimeScale } from './timeScale';

export interface PlaybackDeps {
  hub: EventHub;
  time: TimeScale;
  /** The live channel with this id, if any. */
  findChannel: (id: string) => SimChannel | undefined;
  /** A continue queued behind the playbacks goes once the last one is over. */
  leave: (ch: SimChannel, to: DialplanTarget) => void;
}

export class Playbacks {
  private readonly byId = new Map<string, SimPlayback>();
  private seq = 0;

  constructor(private readonly deps: PlaybackDeps) {}

  get(id: string): SimPlayback | undefined {
    return this.byId.get(id);
  }

  /** POST /channels/{id}/play on a channel already checked to be controllable. */
  play(ch: SimChannel, q: URLSearchParams, playbackId: string | undefined): AriPlayback {
    const medias = q.getAll('media').flatMap((m) => m.split(',')).filter(Boolean);
    if (medias.length === 0) throw new HttpFailure(400, 'Missing required field media');
    const id = playbackId ?? `sim-playback-${++this.seq}`;
    if (this.byId.has(id)) throw new HttpFailure(409, `Playback with ID '${id}' already exists`);
    const pb: AriPlayback = {
      id, media_uri: medias[0]!, target_uri: `channel:${ch.snap.id}`,
      language: q.get('lang') || ch.snap.language, state: 'queued',
    };
    if (medias.length > 1) pb.next_media_uri = medias[1];
    const p: SimPlayback = { pb, medias, started: false, canceled: false, timer: null };
    this.byId.set(id, p);
    // Playbacks on a channel run one after another (the channel's control queue).
    if (ch.playing) ch.queue.push(p);
    else {
      ch.playing = p;
      p.timer = this.deps.time.after(ch, 0, () => this.runMedia(ch, p, 0));
    }
    return { ...pb };
  }

  /** DELETE /playbacks/{id}: a running one ends now ('done'); a queued one is marked and
   * reports PlaybackFinished when its turn comes, as Asterisk's playback_cancel() does. */
  stop(p: SimPlayback): void {
    const ch = this.deps.findChannel(p.pb.target_uri.slice('channel:'.length));
    if (!ch) { this.byId.delete(p.pb.id); return; }
    if (ch.playing === p && p.started) this.finish(ch, p);
    else p.canceled = true;
  }

  /** The channel hangs up: a playback under way finishes ('done'), the queued ones vanish. */
  endWith(ch: SimChannel): void {
    const p = ch.playing;
    if (p) {
      if (p.timer) clearTimeout(p.timer);
      if (p.started) {
        p.pb.state = 'done';
        this.deps.hub.emit(ch.app, 'PlaybackFinished', { playback: p.pb });
      }
      this.byId.delete(p.pb.id);
    }
    for (const queued of ch.queue) this.byId.delete(queued.pb.id);
    ch.playing = null;
    ch.queue = [];
  }

  clear(): void {
    this.byId.clear();
  }

  /** res_stasis_playback.c play_on_channel(): PlaybackStarted for each media, PlaybackContinuing
   * between them, one PlaybackFinished at the end. */
  private runMedia(ch: SimChannel, p: SimPlayback, index: number): void {
    if (p.canceled) return this.finish(ch, p);
    const { hub, time } = this.deps;
    const media = p.medias[index]!;
    p.started = true;
    p.pb.media_uri = media;
    if (index + 1 < p.medias.length) p.pb.next_media_uri = p.medias[index + 1];
    else delete p.pb.next_media_uri;
    p.pb.state = 'playing';
    hub.emit(ch.app, 'PlaybackStarted', { playback: p.pb });
    if (ch.dtmfArmed) {
      // answer_press_1: the subscriber presses 1 once they hear the first prompt.
      ch.dtmfArmed = false;
      time.after(ch, DTMF_AFTER_PLAYBACK_MS, () => {
        hub.emit(ch.app, 'ChannelDtmfReceived', { digit: '1', duration_ms: DTMF_DURATION_MS, channel: ch.snap });
      });
    }
    p.timer = time.after(ch, playbackMs(media), () => {
      if (index + 1 < p.medias.length) {
        p.pb.state = 'continuing';
        hub.emit(ch.app, 'PlaybackContinuing', { playback: p.pb });
        this.runMedia(ch, p, index + 1);
      } else {
        this.finish(ch, p);
      }
    });
  }

  private finish(ch: SimChannel, p: SimPlayback): void {
    if (p.timer) clearTimeout(p.timer);
    p.timer = null;
    p.pb.state = 'done';
    this.deps.hub.emit(ch.app, 'PlaybackFinished', { playback: p.pb });
    this.byId.delete(p.pb.id);
    if (ch.playing === p) {
      ch.playing = ch.queue.shift() ?? null;
      const next = ch.playing;
      if (next) next.timer = this.deps.time.after(ch, 0, () => this.runMedia(ch, next, 0));
      else if (ch.leaving) this.deps.leave(ch, ch.leaving);
    }
  }
}

function playbackMs(media: string): number {
  const colon = media.indexOf(':');
  const scheme = colon >= 0 ? media.slice(0, colon) : '';
  const rest = media.slice(colon + 1);
  switch (scheme) {
    case 'sound': return 1500;
    case 'number': return 400 * Math.max(1, rest.replace(/\D/g, '').length);
    case 'digits': return 300 * Math.max(1, rest.length);
    case 'recording': return 2000;
    default: return 1000;
  }
}
