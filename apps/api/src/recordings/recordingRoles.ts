import type { ApiRole } from '../../../../adapters/postgres/apiAccess';

/** Who may find and hear recorded calls: not the ERP, not the viewers (docs/recording.md). */
export const RECORDING_ROLES: ApiRole[] = ['admin', 'supervisor'];
