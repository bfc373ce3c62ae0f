import type { Pool } from 'pg';
import { staticPieces } from '../domain/messageTemplate';
import { readCampaignTemplateVersion } from '../adapters/postgres/preparedMessages';
import type { AudioStore } from '../adapters/speech/speechPort';
import { AudioClipMissingError } from './prepare';

export interface WarmResult {
  /** Static text pieces now in the store (synthesised now or found there). */
  spoken: number;
  /** Clips found in the store. */
  clips: number;
}

/**
 * Before a campaign dials: the static pieces of its pinned template version are made audio
 * once, so its first contacts find them in the store instead of all asking the speech service
 * for the same greeting at once. One piece after another: the service's rate is shared with
 * the contacts already preparing. A campaign without a template has nothing to warm.
 */
export async function warmTemplate(
  deps: { pool: Pool; audio: AudioStore }, campaignId: string, signal?: AbortSignal,
): Promise<WarmResult> {
  const version = await readCampaignTemplateVersion(deps.pool, campaignId);
  if (!version) return { spoken: 0, clips: 0 };
  const result: WarmResult = { spoken: 0, clips: 0 };
  for (const piece of staticPieces(version.body, version.clips)) {
    if (piece.kind === 'clip') {
      if (!(await deps.audio.find(piece.audioKey))) throw new AudioClipMissingError(piece.name);
      result.clips++;
    } else {
      await deps.audio.speak(version.speech, piece.text, signal);
      result.spoken++;
    }
  }
  return result;
}
