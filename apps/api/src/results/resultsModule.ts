import { Module } from '@nestjs/common';
import { ExportsController } from './exportsController';
import { ResultsResolver } from './resultsResolver';
import { ResultsService } from './resultsService';

@Module({ providers: [ResultsService, ResultsResolver], controllers: [ExportsController] })
export class ResultsModule {}
