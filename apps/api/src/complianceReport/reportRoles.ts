import type { ApiRole } from '../../../../adapters/postgres/apiAccess';

/** Who may read the compliance report: the people answerable for the calls, not the ERP, not viewers (docs/compliance.md). */
export const REPORT_ROLES: ApiRole[] = ['admin', 'supervisor'];
