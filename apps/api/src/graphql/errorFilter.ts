import { Catch, type ArgumentsHost } from '@nestjs/common';
import type { GqlExceptionFilter } from '@nestjs/graphql';
import { GraphQLError } from 'graphql';
import { InputError } from '../../../../domain/inputError';

// Bad input reaches the client as BAD_USER_INPUT with every problem's field path; anything
// else keeps its own code (the guard's UNAUTHENTICATED, FORBIDDEN, RATE_LIMITED) or is an
// internal error whose text names no personal data.
@Catch()
export class ErrorFilter implements GqlExceptionFilter {
  catch(err: unknown, _host: ArgumentsHost): GraphQLError {
    if (err instanceof GraphQLError) return err;
    if (err instanceof InputError) {
      return new GraphQLError(err.message, { extensions: { code: 'BAD_USER_INPUT', issues: err.issues } });
    }
    const constraint = (err as { constraint?: string }).constraint;
    if (constraint) {
      return new GraphQLError(`refused by the database rule ${constraint}`, { extensions: { code: 'BAD_USER_INPUT', constraint } });
    }
    const message = err instanceof Error ? err.message : String(err);
    return new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  }
}
