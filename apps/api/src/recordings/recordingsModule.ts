import { Module } from '@nestjs/common';
import { AriClient } from '../../../../adapters/ari/ariClient';
import type { ApiConfig } from '../apiConfig';
import { API_CONFIG } from '../infra/tokens';
import { RECORDING_FILES, RecordingAudioController } from './recordingAudioController';
import { RecordingsResolver } from './recordingsResolver';
import { RecordingsService } from './recordingsService';

// Recorded calls (docs/recording.md): a search, and the audio streamed from Asterisk's ARI (a
// REST-only client: no Stasis application, no events).

@Module({
  providers: [
    RecordingsService, RecordingsResolver,
    {
      provide: RECORDING_FILES,
      inject: [API_CONFIG],
      useFactory: (config: ApiConfig): AriClient | null => (config.ASTERISK_ARI_URL && config.ARI_PASSWORD
        ? AriClient.restOnly({ url: config.ASTERISK_ARI_URL, username: config.ARI_USERNAME, password: config.ARI_PASSWORD, app: 'dialer-api' })
        : null),
    },
  ],
  controllers: [RecordingAudioController],
})
export class RecordingsModule {}
