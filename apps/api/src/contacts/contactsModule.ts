import { Module } from '@nestjs/common';
import { ContactsResolver } from './contactsResolver';
import { ContactsService } from './contactsService';
import { ListImportJobs } from './listImportJobs';
import { UploadStore } from './uploadStore';
import { MultipartSetup, UploadsController } from './uploadsController';

@Module({
  providers: [ContactsService, ContactsResolver, ListImportJobs, UploadStore, MultipartSetup],
  controllers: [UploadsController],
})
export class ContactsModule {}
