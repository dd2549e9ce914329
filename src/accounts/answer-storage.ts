/**
 * An account's first answers to creates and keyed confirms, so a repeated Idempotency-Key is answered as the first
 * time: a create that made its operation keeps its answer and fingerprint in the operation's own row
 * (account-storage.ts, insertRecord), for as long as the operation; a refused create keeps its refusal here
 * (`idempotency`) for 3 days. A confirm sent with a key keeps its first answer, made or refused, in the operation's
 * row too (`confirm_answer`): D1 keeps no answer for it.
 */
import { statusOf } from "../lib/error-codes";
import type { Result } from "../lib/outcome";
import { refuse, type Refusal } from "../lib/refusal";
import type { Operation, OperationRecord } from "./operation";

type ErrorText = { error: Omit<Refusal, "refused"> };

/** At most this many keys' answers are kept for one operation's confirms. */
const CONFIRM_KEYS_KEPT = 20;

export class AnswerStorage {
  constructor(private readonly sql: SqlStorage) {}

  /** What a repeated create finds, in one read: the first answer and the operation itself. */
  replayOf(operationId: string): { answer: { fingerprint: string; result: Result<Operation> } | null; record: OperationRecord | null } {
    const row = this.sql
      .exec<{ made_fingerprint: string | null; answer: string | null; record: string | null; fingerprint: string | null; body: string | null }>(
        `SELECT o.fingerprint AS made_fingerprint, o.answer, o.record, i.fingerprint, i.body FROM (SELECT ?1 AS id) k
         LEFT JOIN operations o ON o.id = k.id LEFT JOIN idempotency i ON i.operation_id = k.id`,
        operationId,
      )
      .one();
    const record = row.record === null ? null : (JSON.parse(row.record) as OperationRecord);
    if (row.made_fingerprint !== null) return { answer: { fingerprint: row.made_fingerprint, result: { refused: false, json: row.answer! } }, record };
    if (row.fingerprint === null) return { answer: null, record };
    const { error } = JSON.parse(row.body!) as ErrorText;
    return { answer: { fingerprint: row.fingerprint, result: refuse(error.code, error.message, error.details) }, record };
  }

  /**
   * The keyed confirms' first answers of an operation (its operation as text, or its refusal), kept in its row by
   * key, read once: `first` finds a key's, `remember` keeps a new one. A refused confirm (approval still missing) and
   * the confirm after it under a new key each keep their own.
   */
  confirmAnswers(operationId: string) {
    const row = this.sql.exec<{ confirm_answer: string | null }>("SELECT confirm_answer FROM operations WHERE id = ?", operationId).toArray()[0];
    const kept: Record<string, { fingerprint: string; json?: string } & Partial<ErrorText>> = row?.confirm_answer ? JSON.parse(row.confirm_answer) : {};
    return {
      first: (key: string): { fingerprint: string; result: Result<Operation> } | null => {
        const answer = kept[key];
        if (!answer) return null;
        return { fingerprint: answer.fingerprint, result: answer.error ? refuse(answer.error.code, answer.error.message, answer.error.details) : { refused: false, json: answer.json! } };
      },
      remember: (keyed: { key: string; fingerprint: string }, result: Result<Operation>): void => {
        // Bounded: a till sending confirm after confirm under new keys gets answers, not an ever longer row.
        if (Object.keys(kept).length >= CONFIRM_KEYS_KEPT) return;
        kept[keyed.key] = result.refused
          ? { fingerprint: keyed.fingerprint, error: { code: result.code, message: result.message, details: result.details } }
          : { fingerprint: keyed.fingerprint, json: "json" in result ? result.json : JSON.stringify(result.value) };
        this.sql.exec("UPDATE operations SET confirm_answer = ? WHERE id = ?", JSON.stringify(kept), operationId);
      },
    };
  }

  /** A refused create's answer, kept for a repeat of its Idempotency-Key (`status`: the refusal's, for the record). */
  rememberRefusal(operationId: string, fingerprint: string, refusal: Refusal, now: number): void {
    this.sql.exec(
      "INSERT INTO idempotency (operation_id, fingerprint, status, body, created_at) VALUES (?, ?, ?, ?, ?)",
      operationId,
      fingerprint,
      statusOf(refusal.code),
      JSON.stringify({ error: { code: refusal.code, message: refusal.message, details: refusal.details } }),
      now,
    );
  }

  /** Refusals older than the retention go (at most hourly, inside a create's own transaction). */
  forgetBefore(time: number): void {
    this.sql.exec("DELETE FROM idempotency WHERE created_at < ?", time);
  }
}
