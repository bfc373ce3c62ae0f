import { Module } from '@nestjs/common';
import { CalendarResolver } from './calendarResolver';
import { CalendarService } from './calendarService';

@Module({ providers: [CalendarService, CalendarResolver] })
export class CalendarModule {}
