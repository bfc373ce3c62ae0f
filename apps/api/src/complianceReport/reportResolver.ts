import { Args, Query, Resolver } from '@nestjs/graphql';
import { Roles } from '../auth/roles';
import { REPORT_ROLES } from './reportRoles';
import { ReportService } from './reportService';
import { ComplianceReport } from './reportTypes';

@Resolver()
export class ReportResolver {
  constructor(private readonly service: ReportService) {}

  @Query(() => ComplianceReport, {
    description: 'Whether the calls of a campaign (or every campaign) that started in [from, to) broke a rule: hours, caps, refusals and proofs, each a verdict with its evidence (docs/compliance.md). Also as CSV: GET /exports/compliance-report.csv?campaignId=…&from=…&to=…',
  })
  @Roles(...REPORT_ROLES)
  complianceReport(
    @Args('campaignId', { type: () => String, nullable: true, description: 'null: every campaign.' }) campaignId: string | null,
    @Args('from', { description: 'ISO 8601 moment with its offset, inclusive.' }) from: string,
    @Args('to', { description: 'ISO 8601 moment with its offset, exclusive; at most 400 days after from.' }) to: string,
  ): Promise<ComplianceReport> {
    return this.service.report({ campaignId, from, to });
  }
}
