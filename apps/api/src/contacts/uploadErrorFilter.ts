import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { GraphQLError } from 'graphql';
import { InputError } from '../../../../domain/inputError';
import { UploadRefused } from './uploadStore';

const STATUS: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, RATE_LIMITED: 429 };

// POST /uploads answers in HTTP what the guard and the upload throw (the GraphQL filter answers
// GraphQL operations): the guard's codes as 401/403/429, a refused file as 413 or 415, bad input
// as 400, anything else as 500 with no detail.
@Catch()
export class UploadErrorFilter implements ExceptionFilter {
  catch(err: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (reply.sent || reply.raw.headersSent) return;
    if (err instanceof GraphQLError) {
      const code = String(err.extensions.code ?? 'INTERNAL_SERVER_ERROR');
      void reply.status(STATUS[code] ?? 500).send({ error: err.message, code });
    } else if (err instanceof UploadRefused) {
      void reply.status(err.status).send({ error: err.message, code: err.status === 413 ? 'TOO_LARGE' : err.status === 415 ? 'NOT_A_LIST' : 'BAD_REQUEST' });
    } else if (err instanceof InputError) {
      void reply.status(400).send({ error: err.message, code: 'BAD_USER_INPUT', issues: err.issues });
    } else if (isMultipartError(err)) {
      void reply.status(err.statusCode).send({ error: err.message, code: err.code });
    } else {
      void reply.status(500).send({ error: 'internal error', code: 'INTERNAL_SERVER_ERROR' });
    }
  }
}

/** @fastify/multipart's own refusals (not multipart, too many parts...) carry their status. */
function isMultipartError(err: unknown): err is { statusCode: number; code: string; message: string } {
  const e = err as { statusCode?: unknown; code?: unknown };
  return typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500 && typeof e.code === 'string' && e.code.startsWith('FST_');
}
