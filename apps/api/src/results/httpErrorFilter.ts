import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { GraphQLError } from 'graphql';
import { InputError } from '../../../../domain/inputError';

const STATUS: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, RATE_LIMITED: 429 };

// The HTTP routes' answer to what the guard and the handlers throw (the GraphQL filter answers
// GraphQL operations): the guard's codes as 401/403/429, bad input as 400 with every field
// path, anything else as 500 with no detail. A failure after the body began cuts the response.
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  catch(err: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.destroy();
      return;
    }
    if (err instanceof GraphQLError) {
      const code = String(err.extensions.code ?? 'INTERNAL_SERVER_ERROR');
      void reply.status(STATUS[code] ?? 500).send({ error: err.message, code });
    } else if (err instanceof InputError) {
      void reply.status(400).send({ error: err.message, code: 'BAD_USER_INPUT', issues: err.issues });
    } else {
      void reply.status(500).send({ error: 'internal error', code: 'INTERNAL_SERVER_ERROR' });
    }
  }
}
