import { Controller, Get, Query, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Roles } from '../auth/roles';
import { HttpErrorFilter } from '../results/httpErrorFilter';
import { reportCsv } from './reportCsv';
import { REPORT_ROLES } from './reportRoles';
import { ReportService } from './reportService';

// The compliance report as a file, with the same credentials and roles as the GraphQL query.
@Controller('exports')
@UseFilters(HttpErrorFilter)
export class ReportController {
  constructor(private readonly service: ReportService) {}

  /** GET /exports/compliance-report.csv?campaignId=…&from=…&to=… (no campaignId: every campaign). */
  @Get('compliance-report.csv')
  @Roles(...REPORT_ROLES)
  async csv(@Query() query: Record<string, string>, @Res() reply: FastifyReply): Promise<void> {
    const report = await this.service.report({ campaignId: query.campaignId || null, from: query.from, to: query.to }, 'query');
    const name = `compliance-${report.campaignId ?? 'all'}-${report.from.toISOString().slice(0, 10)}.csv`.replace(/[^A-Za-z0-9._-]/g, '_');
    await reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}"`)
      .header('cache-control', 'no-store')
      .send(reportCsv(report));
  }
}
