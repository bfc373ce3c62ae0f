import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import type { FastifyRequest } from 'fastify';
import type { ApiConfig } from './apiConfig';
import { AuthModule } from './auth/authModule';
import { AuthService } from './auth/authService';
import { BlacklistModule } from './blacklist/blacklistModule';
import { CalendarModule } from './calendar/calendarModule';
import type { RequestContext } from './auth/requestContext';
import { CallerIdsModule } from './callerIds/callerIdsModule';
import { CampaignsModule } from './campaigns/campaignsModule';
import { ComplianceModule } from './compliance/complianceModule';
import { ComplianceReportModule } from './complianceReport/complianceReportModule';
import { ContactsModule } from './contacts/contactsModule';
import { ErrorFilter } from './graphql/errorFilter';
import { InfraModule } from './infra/infraModule';
import { LiveModule } from './live/liveModule';
import { MetricsModule } from './metrics/requestMetrics';
import { PersonalDataModule } from './personalData/personalDataModule';
import { subscriptionAuth } from './live/subscriptionAuth';
import { ResultsModule } from './results/resultsModule';
import { RecordingsModule } from './recordings/recordingsModule';
import { WaitsModule } from './waits/waitsModule';
import { TemplatesModule } from './templates/templatesModule';

// The API: GraphQL (code-first, Mercurius on Fastify) over the campaign's modules.
//
// Mercurius rather than Apollo: @nestjs/apollo 13 cannot be installed beside @apollo/server 5
// without overriding a peer (its playground plugin pins Apollo 4), while Mercurius brings
// subscriptions over the graphql-ws protocol, GraphiQL and the JIT in one well-kept package on
// Fastify, which is also the faster server for the console's live views.

function requestContext(request: FastifyRequest): { dialer: RequestContext } {
  const authorization = request.headers.authorization ?? null;
  return { dialer: { authorization, source: request.ip ?? null } };
}

@Module({})
export class AppModule {
  static forConfig(config: ApiConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        InfraModule.forConfig(config),
        GraphQLModule.forRootAsync<MercuriusDriverConfig>({
          driver: MercuriusDriver,
          imports: [AuthModule],
          inject: [AuthService],
          useFactory: (auth: AuthService) => ({
            autoSchemaFile: true,
            sortSchema: true,
            graphiql: true,
            path: '/graphql',
            context: (request: FastifyRequest) => requestContext(request),
            // Subscriptions over WebSocket (graphql-transport-ws), credentials in connection_init.
            subscription: subscriptionAuth(auth),
          }),
        }),
        AuthModule,
        CampaignsModule,
        ContactsModule,
        ResultsModule,
        RecordingsModule,
        LiveModule,
        WaitsModule,
        TemplatesModule,
        BlacklistModule,
        CalendarModule,
        CallerIdsModule,
        ComplianceModule,
        PersonalDataModule,
        ComplianceReportModule,
        MetricsModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ErrorFilter }],
    };
  }
}
