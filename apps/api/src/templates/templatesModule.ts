import { Module } from '@nestjs/common';
import { AudioUploadsController, TemplateAudioController } from './audioControllers';
import { AudioClipsResolver, TemplatesResolver } from './templatesResolver';
import { TemplatesService } from './templatesService';

@Module({
  providers: [TemplatesService, TemplatesResolver, AudioClipsResolver],
  controllers: [AudioUploadsController, TemplateAudioController],
})
export class TemplatesModule {}
