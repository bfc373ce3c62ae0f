import { Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { AuditInterceptor } from './auditInterceptor';
import { AuthGuard } from './authGuard';
import { AuthResolver } from './authResolver';
import { AuthService } from './authService';

@Module({
  providers: [
    AuthService,
    AuthResolver,
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
  ],
  exports: [AuthService],
})
export class AuthModule {}
