import { Module } from '@nestjs/common';
import { RefusalsResolver } from './refusalsResolver';
import { RefusalsService } from './refusalsService';

// Who may be called: the refusal list of mass calls (docs/compliance.md).
@Module({ providers: [RefusalsService, RefusalsResolver] })
export class ComplianceModule {}
