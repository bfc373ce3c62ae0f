import { Module } from '@nestjs/common';
import { ConsentsResolver } from './consentsResolver';
import { ConsentsService } from './consentsService';
import { RefusalsResolver } from './refusalsResolver';
import { RefusalsService } from './refusalsService';

// Who may be called: the refusal list of mass calls and consent evidence (docs/compliance.md).
@Module({ providers: [RefusalsService, RefusalsResolver, ConsentsService, ConsentsResolver] })
export class ComplianceModule {}
