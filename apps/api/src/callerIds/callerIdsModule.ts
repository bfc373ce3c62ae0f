import { Module } from '@nestjs/common';
import { CallerIdsResolver } from './callerIdsResolver';
import { CallerIdsService } from './callerIdsService';

@Module({ providers: [CallerIdsService, CallerIdsResolver] })
export class CallerIdsModule {}
