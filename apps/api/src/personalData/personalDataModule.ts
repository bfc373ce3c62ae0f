import { Module } from '@nestjs/common';
import { PersonalDataResolver } from './personalDataResolver';
import { PersonalDataService } from './personalDataService';

// Deleting contacts' personal data (docs/personalData.md); the access log of reads is
// adapters/postgres/personalData.ts's, called by the resolvers that read.

@Module({ providers: [PersonalDataService, PersonalDataResolver] })
export class PersonalDataModule {}
