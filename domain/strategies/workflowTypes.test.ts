import { CampaignInputError, applyCampaignPatch, parseNewCampaign } from '../campaignSettings';
import { CONTACT_WORKFLOW_TYPE_NAMES, isContactWorkflowType } from './workflowTypes';

// The campaign's workflowType setting: a registered contact workflow type, contactWorkflow by default.

const campaign = { id: 'c1', name: 'c1', callerId: '+74950000000' };

test('a campaign runs contactWorkflow unless it names another type', () => {
  expect(parseNewCampaign(campaign).workflowType).toBe('contactWorkflow');
  for (const name of CONTACT_WORKFLOW_TYPE_NAMES) expect(parseNewCampaign({ ...campaign, workflowType: name }).workflowType).toBe(name);
});

test('an unknown type is refused, naming the field and the registered types', () => {
  const refused = (() => {
    try {
      parseNewCampaign({ ...campaign, workflowType: 'callTwiceThenGiveUp' });
    } catch (err) {
      return err;
    }
    return null;
  })();
  expect(refused).toBeInstanceOf(CampaignInputError);
  expect((refused as CampaignInputError).message).toContain('workflowType: unknown contact workflow type "callTwiceThenGiveUp"; registered: contactWorkflow');
  const stored = parseNewCampaign(campaign);
  expect(() => applyCampaignPatch(stored, { workflowType: 'toString' })).toThrow(/workflowType: unknown contact workflow type "toString"/);
});

test('only the registry\'s own names are types (not what every object has)', () => {
  expect(isContactWorkflowType('contactWorkflow')).toBe(true);
  expect(isContactWorkflowType('constructor')).toBe(false);
  expect(isContactWorkflowType('campaignWorkflow')).toBe(false);
});
