import { Module } from '@nestjs/common';
import { WaitsResolver } from './waitsResolver';
import { WaitsService } from './waitsService';

@Module({ providers: [WaitsService, WaitsResolver] })
export class WaitsModule {}
