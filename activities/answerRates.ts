import type { Pool } from 'pg';
import { countAnswerHistory, type AnswerHistoryQuestion } from '../adapters/postgres/answerRates';
import type { AnswerHistory } from '../domain/strategies/strategy';

// The "answer rates" step, before a strategy that learns from the attempt rows (bestHour)
// decides: the counts it decides on, read once per decision and kept in the workflow's
// history, so a replay decides the same without the database.

export type AnswerRatesQuestion = AnswerHistoryQuestion;

export function answerRates(pool: Pool, q: AnswerRatesQuestion): Promise<AnswerHistory> {
  return countAnswerHistory(pool, q);
}
