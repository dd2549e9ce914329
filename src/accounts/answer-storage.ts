/**
 * An account's first answers to creates (`idempotency`), so a repeated Idempotency-Key is answered as the first time.
 * A row keeps the HTTP status the answer had (201, or the refusal's) beside its body: the column predates named
 * results, so the status is read here, and only here, to tell a made operation from a refusal.
 */
import { statusOf } from "../lib/error-codes";
import type { Result } from "../lib/outcome";
import { refuse, type Refusal } from "../lib/refusal";
import type { Operation, OperationRecord } from "./operation";

const MADE = 201;
type ErrorText = { error: Omit<Refusal, "refused"> };

export class AnswerStorage {
  constructor(private readonly sql: SqlStorage) {}

  /** What a repeated create finds, in one read: the first answer (kept 3 days) and the operation itself. */
  replayOf(operationId: string): { answer: { fingerprint: string; result: Result<Operation> } | null; record: OperationRecord | null } {
    const row = this.sql
      .exec<{ fingerprint: string | null; status: number | null; body: string | null; record: string | null }>(
        `SELECT i.fingerprint, i.status, i.body, o.record FROM (SELECT ?1 AS id) k
         LEFT JOIN idempotency i ON i.operation_id = k.id LEFT JOIN operations o ON o.id = k.id`,
        operationId,
      )
      .one();
    const first = (): Result<Operation> => {
      if (row.status! === MADE) return { refused: false, json: row.body! };
      const { error } = JSON.parse(row.body!) as ErrorText;
      return refuse(error.code, error.message, error.details);
    };
    return {
      answer: row.fingerprint === null ? null : { fingerprint: row.fingerprint, result: first() },
      record: row.record === null ? null : (JSON.parse(row.record) as OperationRecord),
    };
  }

  /** The first answer to a create, kept for a repeat of its Idempotency-Key. */
  remember(operationId: string, fingerprint: string, result: Result<Operation>, now: number): void {
    const [status, text] = result.refused
      ? [statusOf(result.code), JSON.stringify({ error: { code: result.code, message: result.message, details: result.details } })]
      : [MADE, "json" in result ? result.json : JSON.stringify(result.value)];
    this.sql.exec(
      "INSERT INTO idempotency (operation_id, fingerprint, status, body, created_at) VALUES (?, ?, ?, ?, ?)",
      operationId,
      fingerprint,
      status,
      text,
      now,
    );
  }

  /** First answers older than the retention go (at most hourly, inside a create's own transaction). */
  forgetBefore(time: number): void {
    this.sql.exec("DELETE FROM idempotency WHERE created_at < ?", time);
  }
}
