import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { lexicographicSortSchema, printSchema } from 'graphql';
import type { ApiConfig } from './apiConfig';
import { AppModule } from './appModule';

/** The API, assembled but not listening: main.ts listens, tests and the schema printer don't. */
export async function createApiApp(config: ApiConfig): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forConfig(config),
    // The client's address for the audit log comes from the socket unless a proxy is configured.
    new FastifyAdapter({ trustProxy: false, bodyLimit: 5 * 1024 * 1024 }),
    { logger: config.LOG_LEVEL === 'silent' ? false : ['error', 'warn'], abortOnError: false },
  );
  app.enableShutdownHooks();
  await app.init();
  return app;
}

/** The schema as SDL, sorted: what schema/api.graphql holds. */
export function printApiSchema(app: NestFastifyApplication): string {
  return printSchema(lexicographicSortSchema(app.get(GraphQLSchemaHost).schema));
}
