import multipart from '@fastify/multipart';
import { Controller, Inject, Injectable, Post, Req, UseFilters, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Pool } from 'pg';
import { writeAudit } from '../../../../adapters/postgres/apiAccess';
import type { ListFormat } from '../../../../imports/listFormat';
import { actorOf, httpRequestContext } from '../auth/requestContext';
import { OPERATORS, Roles } from '../auth/roles';
import { PG_POOL } from '../infra/tokens';
import { UploadErrorFilter } from './uploadErrorFilter';
import { UploadRefused, UploadStore } from './uploadStore';

// POST /uploads: a contact list (CSV or XLSX) as multipart/form-data, in a field named `file`,
// with the credentials and roles of GraphQL (the global guard). The answer's uploadId is what
// the importList mutation takes. A file that is not a list by its content, or larger than
// API_UPLOAD_MAX_MB, is refused (415, 413) and nothing is kept. Each upload is audited (who,
// from where, its id, kind and size; not its name, which may name a person).
//
//   curl -H "authorization: Bearer $KEY" -F file=@list.xlsx http://127.0.0.1:4000/uploads

/** Room for the multipart headers around the file. */
const MULTIPART_SLACK = 64 * 1024;

export interface UploadAnswer {
  uploadId: string;
  fileName: string;
  format: ListFormat;
  bytes: number;
}

@Controller('uploads')
@UseFilters(UploadErrorFilter)
export class UploadsController {
  constructor(private readonly uploads: UploadStore, @Inject(PG_POOL) private readonly pool: Pool) {}

  @Post()
  @Roles(...OPERATORS)
  async receiveUpload(@Req() request: FastifyRequest): Promise<UploadAnswer> {
    const caller = httpRequestContext(request);
    const actor = actorOf(caller.principal!);
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.uploads.maxBytes + MULTIPART_SLACK) {
      throw new UploadRefused(413, `the file is larger than ${this.uploads.maxBytes} bytes (API_UPLOAD_MAX_MB)`);
    }
    if (!request.isMultipart()) throw new UploadRefused(400, 'send the file as multipart/form-data, in a field named file');
    const part = await request.file({ limits: { fileSize: this.uploads.maxBytes, files: 1, parts: 10 }, throwFileSizeLimit: false });
    if (!part) throw new UploadRefused(400, 'no file in the request: send it in a multipart field named file');
    const info = await this.uploads.save(part.file, { fileName: part.filename, actor, truncated: () => part.file.truncated });
    await writeAudit(this.pool, {
      actor, action: 'api.upload', entity: 'upload', entityId: info.uploadId,
      details: { format: info.format, bytes: info.bytes }, source: caller.source,
    });
    return { uploadId: info.uploadId, fileName: info.fileName, format: info.format, bytes: info.bytes };
  }
}

/** Registers Fastify's multipart reader once, before the server is ready. */
@Injectable()
export class MultipartSetup implements OnModuleInit {
  constructor(private readonly host: HttpAdapterHost) {}

  async onModuleInit(): Promise<void> {
    const fastify = this.host.httpAdapter.getInstance<FastifyInstance>();
    if (!fastify.hasContentTypeParser('multipart/form-data')) await fastify.register(multipart);
  }
}
