import { Module } from '@nestjs/common';
import { AudioClipsResolver, TemplatesResolver } from './templatesResolver';
import { TemplatesService } from './templatesService';

@Module({ providers: [TemplatesService, TemplatesResolver, AudioClipsResolver] })
export class TemplatesModule {}
