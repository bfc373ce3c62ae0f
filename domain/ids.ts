// Workflow ids an admin can type into the Temporal UI: derived from the campaign and the
// ERP's contact id, never from a random number.
export const contactWorkflowId = (campaignId: string, externalId: string): string =>
  `contact/${campaignId}/${externalId}`;

export const campaignWorkflowId = (campaignId: string): string => `campaign/${campaignId}`;
