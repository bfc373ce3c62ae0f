import { Catch, Controller, Get, Inject, Param, Query, Req, Res, UseFilters, type ArgumentsHost } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Pool } from 'pg';
import type { AriClient } from '../../../../adapters/ari/ariClient';
import { writeAudit } from '../../../../adapters/postgres/apiAccess';
import { actorOf, httpRequestContext } from '../auth/requestContext';
import { Roles } from '../auth/roles';
import { PG_POOL } from '../infra/tokens';
import { HttpErrorFilter } from '../results/httpErrorFilter';
import { RECORDING_ROLES } from './recordingRoles';
import { RecordingsService } from './recordingsService';

// A recording's audio over plain HTTP, with the credentials and roles of GraphQL (the global
// guard), streamed from Asterisk's ARI as it is read (GET /ari/recordings/stored/{name}/file):
//
//   GET /recordings/<id>/audio.wav               to play it (inline)
//   GET /recordings/<id>/audio.wav?download=1    to save it (attachment)
//
//   curl -H "authorization: Bearer $KEY" -o call.wav 'http://127.0.0.1:4000/recordings/17/audio.wav?download=1'
//
// Every access is written to audit_log (who, when, from where, which recording, play or
// download) before the first byte is sent.

/** Asterisk's ARI client for stored recordings, or null when the API was given none. */
export const RECORDING_FILES = Symbol('RECORDING_FILES');

/** How long one response may take to send a recording. */
const SEND_MS = 30 * 60_000;

class RecordingRefused extends Error {
  constructor(readonly status: number, message: string, readonly code: string) {
    super(message);
  }
}

@Catch()
export class RecordingErrorFilter extends HttpErrorFilter {
  override catch(err: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (err instanceof RecordingRefused && !reply.sent && !reply.raw.headersSent) {
      void reply.status(err.status).send({ error: err.message, code: err.code });
      return;
    }
    super.catch(err, host);
  }
}

@Controller('recordings')
@UseFilters(RecordingErrorFilter)
export class RecordingAudioController {
  constructor(
    private readonly service: RecordingsService,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(RECORDING_FILES) private readonly files: AriClient | null,
  ) {}

  @Get(':id/audio.wav')
  @Roles(...RECORDING_ROLES)
  async audio(
    @Param('id') id: string, @Query('download') download: string | undefined, @Req() request: FastifyRequest, @Res() reply: FastifyReply,
  ): Promise<void> {
    const caller = httpRequestContext(request);
    const recording = await this.service.stored(id);
    if (!recording) throw new RecordingRefused(404, `no stored recording ${id}`, 'NOT_FOUND');
    if (!this.files) throw new RecordingRefused(503, 'the API has no ARI connection for recordings (ASTERISK_ARI_URL, ARI_PASSWORD)', 'RECORDINGS_UNAVAILABLE');
    const res = await this.files.storedRecordingFile(recording.name, AbortSignal.timeout(SEND_MS));
    if (!res?.body) throw new RecordingRefused(404, `recording ${id} is no longer stored by Asterisk`, 'NOT_FOUND');
    const asDownload = download === '1' || download === 'true';
    await writeAudit(this.pool, {
      actor: actorOf(caller.principal!), action: asDownload ? 'recording.downloaded' : 'recording.played',
      entity: 'call_recording', entityId: String(recording.id), details: { name: recording.name, campaignId: recording.campaign_id }, source: caller.source,
    }).catch(async (err: unknown) => {
      // No audit row, no audio.
      await res.body?.cancel();
      throw err;
    });
    const length = res.headers.get('content-length');
    if (length) void reply.header('content-length', length);
    await reply
      .header('content-type', 'audio/wav')
      .header('content-disposition', `${asDownload ? 'attachment' : 'inline'}; filename="recording-${recording.id}.wav"`)
      .header('cache-control', 'no-store')
      .send(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>));
  }
}
