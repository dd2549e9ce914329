/** An account's first answers to creates (`idempotency`), so a repeated Idempotency-Key is answered as the first time. */
import type { OperationRecord } from "./operation";

export class AnswerStorage {
  constructor(private readonly sql: SqlStorage) {}

  /** What a repeated create finds, in one read: the first answer (kept 3 days) and the operation itself. */
  replayOf(operationId: string): { answer: { fingerprint: string; status: number; body: string } | null; record: OperationRecord | null } {
    const row = this.sql
      .exec<{ fingerprint: string | null; status: number | null; body: string | null; record: string | null }>(
        `SELECT i.fingerprint, i.status, i.body, o.record FROM (SELECT ?1 AS id) k
         LEFT JOIN idempotency i ON i.operation_id = k.id LEFT JOIN operations o ON o.id = k.id`,
        operationId,
      )
      .one();
    return {
      answer: row.fingerprint === null ? null : { fingerprint: row.fingerprint, status: row.status!, body: row.body! },
      record: row.record === null ? null : (JSON.parse(row.record) as OperationRecord),
    };
  }

  /** The first answer to a create, kept for a repeat of its Idempotency-Key. */
  remember(operationId: string, fingerprint: string, status: number, body: object, now: number): void {
    this.sql.exec(
      "INSERT INTO idempotency (operation_id, fingerprint, status, body, created_at) VALUES (?, ?, ?, ?, ?)",
      operationId,
      fingerprint,
      status,
      JSON.stringify(body),
      now,
    );
  }

  /** First answers older than the retention go (at most hourly, inside a create's own transaction). */
  forgetBefore(time: number): void {
    this.sql.exec("DELETE FROM idempotency WHERE created_at < ?", time);
  }
}
