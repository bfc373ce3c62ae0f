// Shapes of the ARI objects and events the dialer uses, as Asterisk 22 sends them.
// Source: rest-api/api-docs/{channels,playbacks,events}.json in the Asterisk tree
// (docs.asterisk.org "Asterisk REST Interface" pages are generated from the same files).

/** ast_state2str(): the textual channel states ARI reports in Channel.state. */
export type AriChannelState =
  | 'Down' | 'Rsrved' | 'OffHook' | 'Dialing' | 'Ring' | 'Ringing' | 'Up' | 'Busy'
  | 'Dialing Offhook' | 'Pre-ring' | 'Unknown';

export interface AriCallerId {
  name: string;
  number: string;
}

/** DialplanCEP: where the channel is; app_name is 'Stasis' once it is in an ARI app. */
export interface AriDialplan {
  context: string;
  exten: string;
  priority: number;
  app_name: string;
  app_data: string;
}

export interface AriChannel {
  id: string;
  name: string;
  state: AriChannelState;
  /** The SIP Call-ID for PJSIP channels; '' until the technology has one. */
  protocol_id: string;
  caller: AriCallerId;
  connected: AriCallerId;
  accountcode: string;
  dialplan: AriDialplan;
  /** Asterisk's own format, e.g. 2026-11-26T05:30:28.123+0000 (not ISO 'Z'). */
  creationtime: string;
  language: string;
  channelvars?: Record<string, string>;
  caller_rdnis?: string;
  tenantid?: string;
}

export type AriPlaybackState = 'queued' | 'playing' | 'continuing' | 'done' | 'failed';

/** endpoints.json Endpoint: a trunk's state follows its qualify (OPTIONS) answers. */
export interface AriEndpoint {
  technology: string;
  resource: string;
  state?: 'unknown' | 'offline' | 'online' | string;
  channel_ids: string[];
}

/** GET /sounds: a prompt Asterisk can play, with the languages and formats it has it in. */
/** recordings.json LiveRecording: a recording in progress (or just finished). */
export interface AriLiveRecording {
  name: string;
  format: string;
  /** 'channel:<id>' or 'bridge:<id>'. */
  target_uri: string;
  state: 'queued' | 'recording' | 'paused' | 'done' | 'failed' | 'canceled';
  /** Whole seconds, when known. */
  duration?: number;
  cause?: string;
}

export interface AriSound {
  id: string;
  text?: string;
  formats: { language: string; format: string }[];
}

export interface AriPlayback {
  id: string;
  /** The media being played now; with several media it changes as the playback advances. */
  media_uri: string;
  /** Present while more media follow the current one (playbacks.json, Asterisk 15+). */
  next_media_uri?: string;
  /** 'channel:<id>' or 'bridge:<id>'. */
  target_uri: string;
  language?: string;
  state: AriPlaybackState;
}

/** Fields every event carries (Message + Event models in events.json). */
interface AriEventBase {
  application: string;
  timestamp: string;
  asterisk_id?: string;
}

export interface StasisStartEvent extends AriEventBase {
  type: 'StasisStart';
  channel: AriChannel;
  /** The appArgs of the originate, split on ','. */
  args: string[];
  replace_channel?: AriChannel;
}

export interface StasisEndEvent extends AriEventBase {
  type: 'StasisEnd';
  channel: AriChannel;
}

export interface ChannelStateChangeEvent extends AriEventBase {
  type: 'ChannelStateChange';
  channel: AriChannel;
}

export interface ChannelDtmfReceivedEvent extends AriEventBase {
  type: 'ChannelDtmfReceived';
  channel: AriChannel;
  digit: string;
  duration_ms: number;
}

export interface ChannelHangupRequestEvent extends AriEventBase {
  type: 'ChannelHangupRequest';
  channel: AriChannel;
  /** Optional in events.json. With soft=true (an ARI DELETE) Asterisk puts its soft-hangup
   * flag here (32, AST_SOFTHANGUP_EXPLICIT), not a Q.850 cause: read ChannelDestroyed.cause. */
  cause?: number;
  tech_cause?: number;
  soft?: boolean;
}

export interface ChannelDestroyedEvent extends AriEventBase {
  type: 'ChannelDestroyed';
  channel: AriChannel;
  /** Q.850 cause code (1 unallocated, 16 normal, 17 busy, 19 no answer, 34 congestion, ...). */
  cause: number;
  /** ast_cause2str() text, e.g. 'Normal Clearing'. */
  cause_txt: string;
  tech_cause?: number;
}

export interface PlaybackStartedEvent extends AriEventBase {
  type: 'PlaybackStarted';
  playback: AriPlayback;
}

/** Sent between the media of a multi-media play (state 'continuing'). */
export interface PlaybackContinuingEvent extends AriEventBase {
  type: 'PlaybackContinuing';
  playback: AriPlayback;
}

export interface PlaybackFinishedEvent extends AriEventBase {
  type: 'PlaybackFinished';
  playback: AriPlayback;
}

export interface ChannelVarsetEvent extends AriEventBase {
  type: 'ChannelVarset';
  /** Absent for global variables. */
  channel?: AriChannel;
  variable: string;
  value: string;
}

/** Every other event type events.json defines; their fields are left untyped. */
export type AriOtherEventType =
  | 'ApplicationMoveFailed' | 'ApplicationRegistered' | 'ApplicationReplaced'
  | 'ApplicationUnregistered' | 'BridgeAttendedTransfer' | 'BridgeBlindTransfer' | 'BridgeCreated'
  | 'BridgeDestroyed' | 'BridgeMerged' | 'BridgeVideoSourceChanged' | 'CallBroadcast' | 'CallClaimed'
  | 'ChannelCallerId' | 'ChannelConnectedLine' | 'ChannelCreated' | 'ChannelDialplan'
  | 'ChannelEnteredBridge' | 'ChannelHold' | 'ChannelLeftBridge' | 'ChannelTalkingFinished'
  | 'ChannelTalkingStarted' | 'ChannelToneDetected' | 'ChannelTransfer' | 'ChannelUnhold'
  | 'ChannelUserevent' | 'ContactStatusChange' | 'DeviceStateChanged' | 'Dial'
  | 'MissingParams' | 'PeerStatusChange' | 'RESTResponse'
  | 'RecordingFailed' | 'RecordingFinished' | 'RecordingStarted' | 'TextMessageReceived';

/**
 * The open fallback. Its `type` is the list above rather than plain `string` because a
 * `string` member would stop `e.type === 'StasisStart'` from narrowing the union at all;
 * an event type newer than this list still arrives here at run time, typed as one of them.
 */
export interface AriOtherEvent extends Partial<AriEventBase> {
  type: AriOtherEventType;
  channel?: AriChannel;
  /** Dial events name the dialled channel `peer`, not `channel`. */
  peer?: AriChannel;
  [field: string]: unknown;
}

export interface EndpointStateChangeEvent extends AriEventBase {
  type: 'EndpointStateChange';
  endpoint: AriEndpoint;
}

export type AriEvent =
  | StasisStartEvent
  | EndpointStateChangeEvent
  | StasisEndEvent
  | ChannelStateChangeEvent
  | ChannelDtmfReceivedEvent
  | ChannelHangupRequestEvent
  | ChannelDestroyedEvent
  | PlaybackStartedEvent
  | PlaybackContinuingEvent
  | PlaybackFinishedEvent
  | ChannelVarsetEvent
  | AriOtherEvent;

export type AriEventType = AriEvent['type'];

/** The `reason` values DELETE /channels/{id} accepts (convert_reason_to_hangup_code()). */
export type AriHangupReason =
  | 'normal' | 'busy' | 'congestion' | 'no_answer' | 'timeout' | 'rejected' | 'unallocated'
  | 'normal_unspecified' | 'number_incomplete' | 'codec_mismatch' | 'interworking' | 'failure'
  | 'answered_elsewhere';
