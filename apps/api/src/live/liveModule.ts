import { Module } from '@nestjs/common';
import { CampaignsModule } from '../campaigns/campaignsModule';
import { LiveCounters } from './liveCounters';
import { LiveResolver } from './liveResolver';

@Module({ imports: [CampaignsModule], providers: [LiveCounters, LiveResolver] })
export class LiveModule {}
