// The worker bundles this module: workflow code only.
export { contactWorkflow } from './contactWorkflow';
export { campaignWorkflow } from './campaignWorkflow';
export { recordingRetentionWorkflow } from './recordingRetention';
