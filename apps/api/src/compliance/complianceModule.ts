import { Module } from '@nestjs/common';
import { ConsentsResolver } from './consentsResolver';
import { ConsentsService } from './consentsService';
import { RefusalsResolver } from './refusalsResolver';
import { RefusalsService } from './refusalsService';
import { RuleProfilesResolver } from './ruleProfilesResolver';
import { RuleProfilesService } from './ruleProfilesService';

// Who may be called and under which rules: the refusal list of mass calls, consent evidence and
// the purposes' rule profiles (docs/compliance.md).
@Module({ providers: [RefusalsService, RefusalsResolver, ConsentsService, ConsentsResolver, RuleProfilesService, RuleProfilesResolver] })
export class ComplianceModule {}
