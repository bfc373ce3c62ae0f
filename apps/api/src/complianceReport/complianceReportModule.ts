import { Module } from '@nestjs/common';
import { ReportController } from './reportController';
import { ReportResolver } from './reportResolver';
import { ReportService } from './reportService';

// The compliance report (docs/compliance.md, "Compliance report"): GraphQL and CSV.
@Module({ providers: [ReportService, ReportResolver], controllers: [ReportController] })
export class ComplianceReportModule {}
