import { z } from 'zod';

// The contact workflow types a campaign may name (its workflowType setting): the product's
// contactWorkflow, whose decide step is the campaign's registered strategy, and the strategy
// workflows developers write from the contact step library (workflows/strategies/<name>/, one
// export in workflows/index.ts each). Names and descriptions only: pure, so the settings
// schema and the API check a name without loading workflow code. Registering a type is one
// line here and one export there (workflows/strategies/workflowTypes.test.ts checks both agree).

export const CONTACT_WORKFLOW_TYPES = {
  contactWorkflow: 'Each number in order: gate, wait, prepare, call, record, then the campaign\'s strategy decides (docs/strategies.md).',
  mobileThenHome: 'Calls the mobile; busy twice, it calls the home number from 18:00 the subscriber\'s time (workflows/strategies/mobileThenHome).',
} as const satisfies Record<string, string>;

export type ContactWorkflowType = keyof typeof CONTACT_WORKFLOW_TYPES;

export const DEFAULT_CONTACT_WORKFLOW_TYPE: ContactWorkflowType = 'contactWorkflow';

export const CONTACT_WORKFLOW_TYPE_NAMES = Object.keys(CONTACT_WORKFLOW_TYPES) as ContactWorkflowType[];

export function isContactWorkflowType(name: string): name is ContactWorkflowType {
  return Object.hasOwn(CONTACT_WORKFLOW_TYPES, name);
}

/** The campaign setting: a registered type's name; an unknown one is refused, naming the registered ones. */
export const workflowTypeSettingSchema = z.string()
  .refine(isContactWorkflowType, (name) => ({
    message: `unknown contact workflow type "${name}"; registered: ${CONTACT_WORKFLOW_TYPE_NAMES.join(', ')}`,
  }))
  .default(DEFAULT_CONTACT_WORKFLOW_TYPE);
