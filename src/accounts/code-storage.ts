/** An account's one-time SMS codes (as HMACs) and the last hour of sends, in its SQLite storage (`sms_codes`, `sms_sends`). */
import type { CodeState } from "../auth/one-time-code";

export class CodeStorage {
  constructor(private readonly sql: SqlStorage) {}

  code(purpose: string): CodeState | null {
    return this.sql.exec<CodeState>("SELECT * FROM sms_codes WHERE purpose = ?", purpose).toArray()[0] ?? null;
  }

  /** Stores a code for its purpose, voiding the one before. */
  saveCode(state: CodeState): void {
    this.sql.exec(
      `INSERT INTO sms_codes (purpose, hash, issued_at, expires_at, attempts_left) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(purpose) DO UPDATE SET hash = excluded.hash, issued_at = excluded.issued_at,
         expires_at = excluded.expires_at, attempts_left = excluded.attempts_left`,
      state.purpose,
      state.hash,
      state.issued_at,
      state.expires_at,
      state.attempts_left,
    );
  }

  deleteCode(purpose: string): void {
    this.sql.exec("DELETE FROM sms_codes WHERE purpose = ?", purpose);
  }

  /** Send times of the last hour (all purposes), and the last one of `purpose`. */
  sends(purpose: string, since: number): { all: number[]; last: number | null } {
    this.sql.exec("DELETE FROM sms_sends WHERE sent_at < ?", since);
    const rows = this.sql.exec<{ purpose: string; sent_at: number }>("SELECT purpose, sent_at FROM sms_sends").toArray();
    const mine = rows.filter((row) => row.purpose === purpose).map((row) => row.sent_at);
    return { all: rows.map((row) => row.sent_at), last: mine.length > 0 ? Math.max(...mine) : null };
  }

  logSend(purpose: string, at: number): void {
    this.sql.exec("INSERT INTO sms_sends (purpose, sent_at) VALUES (?, ?)", purpose, at);
  }

  /** Takes back a send the provider refused: it neither counts against the limits nor leaves a code behind. */
  forgetSend(purpose: string, at: number): void {
    this.sql.exec("DELETE FROM sms_sends WHERE purpose = ? AND sent_at = ?", purpose, at);
    this.sql.exec("DELETE FROM sms_codes WHERE purpose = ? AND issued_at = ?", purpose, at);
  }
}
