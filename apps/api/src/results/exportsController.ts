import { Controller, Get, Inject, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pipeline } from 'node:stream';
import type { Pool } from 'pg';
import { writeAudit } from '../../../../adapters/postgres/apiAccess';
import { actorOf, httpRequestContext } from '../auth/requestContext';
import { READERS, Roles } from '../auth/roles';
import { PG_POOL } from '../infra/tokens';
import { AttemptCsvStream } from './attemptsCsv';
import { HttpErrorFilter } from './httpErrorFilter';
import { parseFilter, ResultsService } from './resultsService';

// Exports over plain HTTP, with the same credentials and roles as GraphQL (the global guard):
// a file of any size is streamed from a Postgres cursor as the client reads it.

@Controller('exports')
@UseFilters(HttpErrorFilter)
export class ExportsController {
  constructor(private readonly service: ResultsService, @Inject(PG_POOL) private readonly pool: Pool) {}

  /**
   * GET /exports/attempts.csv?campaignId=…&from=…&to=…&number=…&outcome=… — the attempts of the
   * filter as CSV. Numbers are personal data: the export is audited (who, when, the filter
   * without the number itself, the rows sent), never its rows.
   */
  @Get('attempts.csv')
  @Roles(...READERS)
  async attemptsCsv(@Query() query: Record<string, string>, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const filter = parseFilter(query, 'query');
    const caller = httpRequestContext(request);
    const rows = await this.service.stream(filter);
    const csv = new AttemptCsvStream();
    let failed = false;
    pipeline(rows, csv, (err) => { failed ||= !!err; });
    reply.raw.once('close', () => {
      // The client went away (or the response ended): the cursor is closed with the stream.
      if (!csv.readableEnded) csv.destroy();
      const audit = {
        actor: caller.principal ? actorOf(caller.principal) : 'anonymous', action: 'api.exportAttempts', entity: 'attempt_export',
        entityId: filter.campaignId ?? '',
        details: {
          filter: { campaignId: filter.campaignId ?? null, from: filter.from ?? null, to: filter.to ?? null, outcome: filter.outcome ?? null, byNumber: !!filter.number },
          rows: csv.rows, complete: csv.readableEnded && !failed,
        },
        source: caller.source,
      };
      writeAudit(this.pool, audit).catch((err: unknown) => {
        request.log.error({ err }, 'export audit row not written');
      });
    });
    const name = `attempts-${filter.campaignId ?? 'number'}.csv`.replace(/[^A-Za-z0-9._-]/g, '_');
    await reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}"`)
      .header('cache-control', 'no-store')
      .send(csv);
  }
}
