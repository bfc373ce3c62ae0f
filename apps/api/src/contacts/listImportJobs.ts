import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { createReadStream } from 'node:fs';
import type { Pool } from 'pg';
import { createLogger } from '../../../../common/logger';
import { InputError } from '../../../../domain/inputError';
import { ImportError, importList } from '../../../../imports/contactList';
import { PG_POOL } from '../infra/tokens';
import { UploadStore, type UploadInfo } from './uploadStore';

const log = createLogger('listImportJobs');

// Imports of uploaded lists, run in the background of the API process by the same importer as
// the command line (imports/contactList.ts): the mutation waits only until the file's header was
// read and the import's row exists, then answers with its id; the rows are written batch by
// batch, and list_import says how far it got. The upload is removed when its import ends.

@Injectable()
export class ListImportJobs implements BeforeApplicationShutdown {
  private readonly running = new Map<number, { abort: AbortController; done: Promise<void> }>();

  constructor(@Inject(PG_POOL) private readonly pool: Pool, private readonly uploads: UploadStore) {}

  /**
   * Starts the import of a claimed upload; resolves with the import's id once it runs. A file
   * that is not the list shape is refused (InputError on `uploadId`) before anything is written.
   */
  async start(
    campaignId: string, upload: { info: UploadInfo; file: string }, createdBy: string, afterwards: () => Promise<void>,
  ): Promise<number> {
    const abort = new AbortController();
    let started: (id: number) => void = () => undefined;
    const running = new Promise<number>((resolve) => { started = resolve; });
    const job = importList({
      pool: this.pool, campaignId, createdBy, fileName: upload.info.fileName, format: upload.info.format,
      input: createReadStream(upload.file), onStarted: started, signal: abort.signal,
    });
    // Either the import runs (its id), or it failed before writing anything.
    const first = await Promise.race([running, job.then(
      (report) => report.importId,
      (err: unknown) => ({ failed: err }),
    )]);
    if (typeof first !== 'number') {
      await this.uploads.remove(upload.info.uploadId);
      const err = first.failed;
      if (err instanceof ImportError) throw new InputError(err.message, [{ path: 'uploadId', message: err.message }]);
      throw err;
    }
    const importId = first;
    const done = job.then(
      async (report) => {
        log.info({ importId, rows: report.rowsTotal, imported: report.rowsImported, rejected: report.rowsRejected }, 'upload imported');
        await afterwards().catch((err: unknown) => log.error({ importId, campaignId, err: (err as Error).message }, 'after the import'));
      },
      // The import wrote its failure into its row; the log says which import, not what was in it.
      (err: unknown) => log.warn({ importId, kind: err instanceof ImportError ? 'import' : 'internal' }, 'upload import failed'),
    ).finally(async () => {
      this.running.delete(importId);
      await this.uploads.remove(upload.info.uploadId);
    });
    this.running.set(importId, { abort, done });
    return importId;
  }

  /** Whether this process runs the import now. */
  isRunning(importId: number): boolean {
    return this.running.has(importId);
  }

  /** Imports still running stop between two rows and say so in their row, before the pool closes. */
  async beforeApplicationShutdown(): Promise<void> {
    const jobs = [...this.running.values()];
    for (const job of jobs) job.abort.abort('the API stopped; importing the file again is safe');
    await Promise.all(jobs.map((job) => job.done));
  }
}
