import { Module } from '@nestjs/common';
import { BlacklistResolver } from './blacklistResolver';
import { BlacklistService } from './blacklistService';

@Module({ providers: [BlacklistService, BlacklistResolver] })
export class BlacklistModule {}
