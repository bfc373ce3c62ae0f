import { Module } from '@nestjs/common';
import { CampaignsResolver } from './campaignsResolver';
import { CampaignsService } from './campaignsService';

@Module({ providers: [CampaignsService, CampaignsResolver], exports: [CampaignsService] })
export class CampaignsModule {}
