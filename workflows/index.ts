// The worker bundles this module: workflow code only.
export { contactWorkflow } from './contactWorkflow';
export { campaignWorkflow } from './campaignWorkflow';
export { recordingRetentionWorkflow } from './recordingRetention';
export { personalDataDeletionWorkflow, personalDataRetentionWorkflow } from './personalDataDeletion';
// Strategy workflows (domain/strategies/workflowTypes.ts names them for campaigns).
export { mobileThenHome } from './strategies/mobileThenHome/mobileThenHome';
