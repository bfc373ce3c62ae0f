import { Module } from '@nestjs/common';
import { TemplatesResolver } from './templatesResolver';
import { TemplatesService } from './templatesService';

@Module({ providers: [TemplatesService, TemplatesResolver] })
export class TemplatesModule {}
