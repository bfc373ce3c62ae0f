import { Body, Catch, Controller, Get, HttpCode, Inject, Post, Query, Req, Res, UseFilters, type ArgumentsHost } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Pool } from 'pg';
import { writeAudit } from '../../../../adapters/postgres/apiAccess';
import { upsertAudioClip } from '../../../../adapters/postgres/audioClips';
import { AudioFormatError, pcmToWav, toSlin } from '../../../../adapters/speech/audioConversion';
import { SpeechRejectedError, SpeechUnavailableError, type AudioStore } from '../../../../adapters/speech/speechPort';
import { InputError } from '../../../../domain/inputError';
import { CLIP_NAME } from '../../../../domain/messageTemplate';
import type { ApiConfig } from '../apiConfig';
import { actorOf, httpRequestContext } from '../auth/requestContext';
import { OPERATORS, READERS, Roles } from '../auth/roles';
import { UploadErrorFilter } from '../contacts/uploadErrorFilter';
import { UploadRefused } from '../contacts/uploadStore';
import { API_CONFIG, AUDIO_STORE, PG_POOL } from '../infra/tokens';
import { TemplatesService } from './templatesService';

// Audio over plain HTTP, with the credentials and roles of GraphQL (the global guard):
//
//   POST /uploads/audio?name=greeting     a recorded clip (WAV, MP3, OGG or FLAC, told by its
//     first bytes) as multipart/form-data in a field named `file`, as POST /uploads takes a
//     list. It is converted once to what Asterisk plays (8 kHz slin, adapters/speech/
//     audioConversion.ts), stored by content in the audio store and named in audio_clip;
//     templates play it as {{audio:greeting}}. A file that is not audio is refused with a 400
//     naming the problem, and nothing is kept. Uploading a name again replaces its audio (a
//     template takes it at its next edit: its versions keep the audio they pinned).
//   GET or POST /templates/preview.wav     a message as one contact would hear it, as a WAV file:
//     the same request as the previewTemplate query (templateId and version, or body and
//     speech; variables, or a contactId), as query parameters (variables and speech as JSON)
//     or as a JSON body. Each piece is spoken through the audio store (its cache, its providers)
//     and the pieces are joined as a call plays them (the preview itself is not stored).
//
//   curl -H "authorization: Bearer $KEY" -F file=@greeting.mp3 'http://127.0.0.1:4000/uploads/audio?name=greeting'
//   curl -H "authorization: Bearer $KEY" -o m.wav 'http://127.0.0.1:4000/templates/preview.wav?templateId=1&contactId=42'

/** Room for the multipart headers around the file. */
const MULTIPART_SLACK = 64 * 1024;

export interface AudioUploadAnswer {
  name: string;
  durationMs: number;
  sourceFormat: string;
  bytes: number;
}

/** Audio's own refusals besides the upload's: a file that is not audio, a speech service down or refusing. */
@Catch()
export class AudioErrorFilter extends UploadErrorFilter {
  override catch(err: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (reply.sent || reply.raw.headersSent) return;
    if (err instanceof AudioFormatError) {
      void reply.status(400).send({ error: `file: ${err.message}`, code: 'NOT_AUDIO' });
    } else if (err instanceof SpeechUnavailableError) {
      void reply.status(503).send({ error: `the speech service is unavailable: ${err.message}`, code: 'SPEECH_UNAVAILABLE' });
    } else if (err instanceof SpeechRejectedError) {
      void reply.status(502).send({ error: `the speech service refused: ${err.message}`, code: 'SPEECH_REJECTED' });
    } else {
      super.catch(err, host);
    }
  }
}

@Controller('uploads')
@UseFilters(AudioErrorFilter)
export class AudioUploadsController {
  private readonly maxBytes: number;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(AUDIO_STORE) private readonly store: AudioStore,
    @Inject(API_CONFIG) config: ApiConfig,
  ) {
    this.maxBytes = Math.floor(config.API_UPLOAD_MAX_MB * 1024 * 1024);
  }

  @Post('audio')
  @Roles(...OPERATORS)
  async receiveAudio(@Query('name') name: string | undefined, @Req() request: FastifyRequest): Promise<AudioUploadAnswer> {
    const caller = httpRequestContext(request);
    if (!name || !CLIP_NAME.test(name)) {
      throw new InputError('name: give the clip\'s name as ?name= (letters, digits, _ . and -, at most 100)', [
        { path: 'name', message: 'letters, digits, _ . and -, at most 100' }]);
    }
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.maxBytes + MULTIPART_SLACK) {
      throw new UploadRefused(413, `the file is larger than ${this.maxBytes} bytes (API_UPLOAD_MAX_MB)`);
    }
    if (!request.isMultipart()) throw new UploadRefused(400, 'send the file as multipart/form-data, in a field named file');
    const part = await request.file({ limits: { fileSize: this.maxBytes, files: 1, parts: 10 } });
    if (!part) throw new UploadRefused(400, 'no file in the request: send it in a multipart field named file');
    const file = await part.toBuffer();
    const audio = await toSlin(file, AbortSignal.timeout(60_000));
    const stored = await this.store.put(audio.pcm);
    const clip = await upsertAudioClip(this.pool, { name, audioKey: stored.key, durationMs: audio.durationMs, sourceFormat: audio.format });
    await writeAudit(this.pool, {
      actor: actorOf(caller.principal!), action: 'api.uploadAudio', entity: 'audio_clip', entityId: name,
      details: { format: audio.format, bytes: file.length, durationMs: audio.durationMs }, source: caller.source,
    });
    return { name: clip.name, durationMs: clip.durationMs, sourceFormat: clip.sourceFormat, bytes: file.length };
  }
}

/** Query parameters as the preview's input: ids as numbers, variables and speech as JSON. */
function previewQuery(query: Record<string, string>): object {
  const input: Record<string, unknown> = { ...query };
  for (const field of ['templateId', 'version', 'contactId']) {
    if (typeof query[field] === 'string' && /^\d+$/.test(query[field])) input[field] = Number(query[field]);
  }
  for (const field of ['variables', 'speech']) {
    if (typeof query[field] !== 'string') continue;
    try {
      input[field] = JSON.parse(query[field]);
    } catch {
      throw new InputError(`${field}: not JSON (${field}={"NAME":"…"})`, [{ path: field, message: 'not JSON' }]);
    }
  }
  return input;
}

@Controller('templates')
@UseFilters(AudioErrorFilter)
export class TemplateAudioController {
  constructor(private readonly templates: TemplatesService, @Inject(AUDIO_STORE) private readonly store: AudioStore) {}

  @Get('preview.wav')
  @Roles(...READERS)
  previewByQuery(@Query() query: Record<string, string>, @Res() reply: FastifyReply): Promise<void> {
    return this.sendPreview(previewQuery(query), reply);
  }

  @Post('preview.wav')
  @HttpCode(200)
  @Roles(...READERS)
  previewByBody(@Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new InputError('send the preview request as a JSON object', [{ path: '', message: 'not a JSON object' }]);
    }
    return this.sendPreview(body, reply);
  }

  private async sendPreview(input: object, reply: FastifyReply): Promise<void> {
    const { rendered, speech } = await this.templates.render(input);
    const signal = AbortSignal.timeout(120_000);
    // The pieces one after another, as a call plays them, joined here: a preview is not stored
    // (assembling it in the speech cache would write, and perhaps evict, for one answer).
    const pieces = await Promise.all(rendered.pieces.map(async (piece): Promise<Buffer> => {
      if (piece.kind === 'clip') {
        const clip = await this.store.read(piece.audioKey);
        if (!clip) {
          throw new InputError(`templateId: the audio of clip ${piece.name} is no longer stored: upload it again`, [
            { path: 'templateId', message: `the audio of clip ${piece.name} is no longer stored: upload it again` }]);
        }
        return clip;
      }
      const { key } = await this.store.speak(speech, piece.text, signal);
      const said = await this.store.read(key);
      if (!said) throw new SpeechUnavailableError(`the audio piece ${key} is no longer in the speech cache`);
      return said;
    }));
    const pcm = Buffer.concat(pieces);
    await reply
      .header('content-type', 'audio/wav')
      .header('content-disposition', 'inline; filename="preview.wav"')
      .header('cache-control', 'no-store')
      .send(pcmToWav(pcm));
  }
}
