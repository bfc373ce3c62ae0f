import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { SNIFF_BYTES, sniffListFormat, type ListFormat } from '../../../../imports/listFormat';
import { InputError } from '../../../../domain/inputError';
import type { ApiConfig } from '../apiConfig';
import { API_CONFIG } from '../infra/tokens';

// Uploaded contact lists wait on disk (API_UPLOAD_DIR) until an importList mutation takes them:
// `<id>` is the file, `<id>.json` what is known of it. A file is kept only when it is a CSV or
// XLSX by its content and within API_UPLOAD_MAX_MB; the import takes it once and removes it at
// its end; one never imported is removed after a day.

export interface UploadInfo {
  uploadId: string;
  fileName: string;
  format: ListFormat;
  bytes: number;
  actor: string;
  createdAt: string;
}

/** Why an upload is not kept, with the HTTP status that says it. */
export class UploadRefused extends Error {
  override readonly name = 'UploadRefused';
  constructor(readonly status: 400 | 413 | 415, message: string) {
    super(message);
  }
}

const UPLOAD_ID = /^up_[0-9a-f]{32}$/;
const KEEP_MS = 24 * 3_600_000;

@Injectable()
export class UploadStore {
  readonly maxBytes: number;
  private readonly dir: string;

  constructor(@Inject(API_CONFIG) config: ApiConfig) {
    this.maxBytes = Math.floor(config.API_UPLOAD_MAX_MB * 1024 * 1024);
    this.dir = config.API_UPLOAD_DIR;
  }

  /**
   * Keeps the file the stream carries, or refuses it (UploadRefused) and keeps nothing: its kind
   * is told from its first bytes, its size as it arrives. `truncated()` says whether the
   * multipart reader cut the file at the size limit.
   */
  async save(file: Readable, meta: { fileName: string; actor: string; truncated: () => boolean }): Promise<UploadInfo> {
    // Lists are personal data: readable by the API's own user only.
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    void this.sweep();
    const uploadId = `up_${randomBytes(16).toString('hex')}`;
    const part = this.path(`${uploadId}.part`);
    const out = createWriteStream(part, { mode: 0o600 });
    let writeError: Error | undefined;
    out.on('error', (err) => { writeError = err; });
    let format: ListFormat | undefined;
    let refused: Error | undefined;
    let bytes = 0;
    const head: Buffer[] = [];
    const write = async (chunks: Buffer[]) => {
      for (const chunk of chunks) if (!out.write(chunk)) await once(out, 'drain');
    };
    try {
      // Read to the end even once refused: the rest of the request is dropped, so the answer
      // reaches the client (the multipart reader stops at the size limit by itself).
      for await (const chunk of file as AsyncIterable<Buffer>) {
        if (refused || writeError) continue;
        bytes += chunk.length;
        try {
          if (format === undefined) {
            head.push(chunk);
            if (bytes < SNIFF_BYTES) continue;
            format = decide(Buffer.concat(head));
            await write(head);
          } else {
            await write([chunk]);
          }
        } catch (err) {
          refused = err as Error;
        }
      }
      if (refused) throw refused;
      if (writeError) throw writeError;
      if (format === undefined) {
        format = decide(Buffer.concat(head));
        await write(head);
      }
      if (meta.truncated() || bytes > this.maxBytes) throw new UploadRefused(413, `the file is larger than ${formatMb(this.maxBytes)} (API_UPLOAD_MAX_MB)`);
      out.end();
      await finished(out);
    } catch (err) {
      out.destroy();
      await rm(part, { force: true });
      throw err;
    }
    const info: UploadInfo = {
      uploadId, fileName: cleanName(meta.fileName), format: format!, bytes, actor: meta.actor, createdAt: new Date().toISOString(),
    };
    await writeFile(this.path(`${uploadId}.json`), JSON.stringify(info), { mode: 0o600 });
    await rename(part, this.path(uploadId));
    return info;
  }

  /**
   * Takes an upload for an import, once: a second claim (or another caller's) finds nothing.
   * Returns where the file now is.
   */
  async claim(uploadId: string, actor: string): Promise<{ info: UploadInfo; file: string }> {
    const missing = () => new InputError(`upload ${uploadId} does not exist (or was imported already)`,
      [{ path: 'uploadId', message: 'no such upload: send the file to POST /uploads first' }]);
    if (!UPLOAD_ID.test(uploadId)) throw missing();
    let info: UploadInfo;
    try {
      info = JSON.parse(await readFile(this.path(`${uploadId}.json`), 'utf8')) as UploadInfo;
    } catch {
      throw missing();
    }
    if (info.actor !== actor) throw missing();
    const file = this.path(`${uploadId}.importing`);
    try {
      await rename(this.path(uploadId), file); // atomic: one claim wins
    } catch {
      throw missing();
    }
    return { info, file };
  }

  /** Gives a claimed upload back (the import did not start because of the campaign, say). */
  async release(uploadId: string): Promise<void> {
    await rename(this.path(`${uploadId}.importing`), this.path(uploadId)).catch(() => undefined);
  }

  async remove(uploadId: string): Promise<void> {
    await Promise.all([uploadId, `${uploadId}.importing`, `${uploadId}.json`, `${uploadId}.part`]
      .map((name) => rm(this.path(name), { force: true })));
  }

  /**
   * Removes uploads nobody imported within a day, parts of uploads cut off, and files left by an
   * import whose process died (an import still reading a file it opened keeps reading it).
   */
  async sweep(now = Date.now()): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    await Promise.all(names.filter((n) => n.startsWith('up_')).map(async (name) => {
      const s = await stat(this.path(name)).catch(() => null);
      if (s && now - s.mtimeMs > KEEP_MS) await rm(this.path(name), { force: true });
    }));
  }

  private path(name: string): string {
    return path.join(this.dir, name);
  }
}

function decide(head: Buffer): ListFormat {
  const sniffed = sniffListFormat(head);
  if ('refused' in sniffed) throw new UploadRefused(415, sniffed.refused);
  return sniffed.format;
}

/** The name the user gave, without folders or control characters (it is shown back, never used as a path). */
function cleanName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const base = path.basename(name.replace(/\\/g, '/')).replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return (base || 'upload').slice(0, 200);
}

function formatMb(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return `${Number.isInteger(mb) ? mb : mb.toFixed(2)} MB`;
}
