/**
 * An account's approval requests (MobiSecure) in its SQLite storage (`approval_requests`), and in test mode the
 * answers its test phone will give by itself (`test_answers`). A closed request is told to `closed` (the object pushes
 * it to the member's pages once the transaction commits).
 */
import type { ApprovalRequest, ApprovalStatus } from "./approval";

export class RequestStorage {
  constructor(
    private readonly sql: SqlStorage,
    private readonly closed: (request: ApprovalRequest) => void,
  ) {}

  byId(id: string): ApprovalRequest | null {
    const row = this.sql.exec<{ body: string }>("SELECT body FROM approval_requests WHERE id = ?", id).toArray()[0];
    return row ? (JSON.parse(row.body) as ApprovalRequest) : null;
  }

  pendingOf(operationId: string): ApprovalRequest | null {
    const row = this.sql
      .exec<{ body: string }>("SELECT body FROM approval_requests WHERE operation_id = ? AND status = 'pending'", operationId)
      .toArray()[0];
    return row ? (JSON.parse(row.body) as ApprovalRequest) : null;
  }

  lastTimeOf(operationId: string): number | null {
    return this.sql.exec<{ at: number | null }>("SELECT MAX(created_at) AS at FROM approval_requests WHERE operation_id = ?", operationId).one().at;
  }

  /** A page of requests, newest first, before the request of sequence `before`. */
  page(status: ApprovalStatus | null, limit: number, before: number | null): ApprovalRequest[] {
    return this.sql
      .exec<{ body: string }>(
        `SELECT body FROM approval_requests WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR seq < ?2) ORDER BY seq DESC LIMIT ?3`,
        status,
        before,
        limit,
      )
      .toArray()
      .map((row) => JSON.parse(row.body) as ApprovalRequest);
  }

  seqOf(id: string): number | null {
    return this.sql.exec<{ seq: number }>("SELECT seq FROM approval_requests WHERE id = ?", id).toArray()[0]?.seq ?? null;
  }

  insert(request: ApprovalRequest): void {
    this.sql.exec(
      "INSERT INTO approval_requests (id, operation_id, status, created_at, body) VALUES (?, ?, ?, ?, ?)",
      request.id,
      request.operation_id,
      request.status,
      Date.parse(request.created_at),
      JSON.stringify(request),
    );
  }

  /** Ends a pending request: answered, superseded, or closed with its operation. */
  close(request: ApprovalRequest, status: Exclude<ApprovalStatus, "pending">, now: number): void {
    request.status = status;
    request.answered_at = new Date(now).toISOString();
    this.closeAs(request);
  }

  /** Stores a request as a rule closed it (the member's answer, with how it was given). */
  closeAs(request: ApprovalRequest): void {
    this.sql.exec("UPDATE approval_requests SET status = ?, body = ? WHERE id = ?", request.status, JSON.stringify(request), request.id);
    this.closed(request);
  }

  // ---- test mode: answers given by test phones ------------------------------------------------------------

  /** When the first answer a test phone gives by itself is due (infinity: none waits; kept in memory). */
  earliestTestAnswer = Number.POSITIVE_INFINITY;

  scheduleTestAnswer(requestId: string, answer: "approve" | "reject", dueAt: number): void {
    this.sql.exec("INSERT OR REPLACE INTO test_answers (request_id, answer, due_at) VALUES (?, ?, ?)", requestId, answer, dueAt);
    this.earliestTestAnswer = Math.min(this.earliestTestAnswer, dueAt);
  }

  dueTestAnswers(now: number): { request_id: string; answer: "approve" | "reject" }[] {
    if (now < this.earliestTestAnswer) return [];
    return this.sql.exec<{ request_id: string; answer: "approve" | "reject" }>("SELECT request_id, answer FROM test_answers WHERE due_at <= ?", now).toArray();
  }

  dropTestAnswer(requestId: string): void {
    this.sql.exec("DELETE FROM test_answers WHERE request_id = ?", requestId);
  }

  /** After answers were given: when the next is due. */
  refreshTestAnswers(): void {
    this.earliestTestAnswer = this.sql.exec<{ at: number | null }>("SELECT MIN(due_at) AS at FROM test_answers").one().at ?? Number.POSITIVE_INFINITY;
  }
}
