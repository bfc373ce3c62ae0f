import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { campaignExists, complianceReport, type ComplianceReport as ReportData, type Finding } from '../../../../adapters/postgres/complianceReport';
import { InputError } from '../../../../domain/inputError';
import { parseInput } from '../../../../domain/parseInput';
import { PG_POOL } from '../infra/tokens';
import { reportInputSchema } from './reportInput';
import type { ComplianceFinding, ComplianceLocalHours, ComplianceReport } from './reportTypes';

@Injectable()
export class ReportService {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** The report for the arguments as given (bad input names its field; `prefix` starts the path). */
  async report(input: unknown, prefix = ''): Promise<ComplianceReport> {
    const q = parseInput(reportInputSchema, input, prefix);
    const campaignId = q.campaignId ?? null;
    if (campaignId !== null && !(await campaignExists(this.pool, campaignId))) {
      const path = prefix ? `${prefix}.campaignId` : 'campaignId';
      throw new InputError(`${path}: no such campaign`, [{ path, message: 'no such campaign' }]);
    }
    return toGraphql(await complianceReport(this.pool, { campaignId, from: new Date(q.from), to: new Date(q.to) }));
  }
}

const finding = (f: Finding): ComplianceFinding => ({ count: f.count, attemptIds: f.attemptIds.map(String) });
const hours = (h: [string, string] | null): ComplianceLocalHours | null => h && { start: h[0], end: h[1] };

function toGraphql(r: ReportData): ComplianceReport {
  return {
    ...r,
    hours: {
      ...r.hours,
      windows: r.hours.windows.map((w) => ({ campaignId: w.campaignId, policy: w.policy, workingDay: hours(w.workingDayHours), restDay: hours(w.restDayHours) })),
      outsideLegal: finding(r.hours.outsideLegal),
      outsideCampaign: finding(r.hours.outsideCampaign),
    },
    caps: { ...r.caps, overCap: r.caps.overCap.map((o) => ({ ...o, attemptIds: o.attemptIds.map(String) })) },
    refusals: { ...r.refusals, unexplained: finding(r.refusals.unexplained) },
    proofs: { ...r.proofs, incomplete: finding(r.proofs.incomplete) },
  };
}
