/**
 * Alerts an object raised, waiting in its own SQLite until D1 and the webhook queue have them: written in the
 * transaction that raised them, shipped from the object's alarm (by id, so a repeat adds nothing), dropped only
 * once D1 took them. The StoreDO and the TenantDO keep one each; accounts ship theirs with their outbox.
 */
import type { Env } from "../env";
import type { Alert } from "../limits/limit";
import { shipEvents } from "./events";

export const ALERT_OUTBOX_SCHEMA = "CREATE TABLE IF NOT EXISTS alert_outbox (id TEXT PRIMARY KEY, payload TEXT NOT NULL);";
const BATCH = 50;

export class AlertOutbox {
  constructor(private readonly sql: SqlStorage) {}

  /** Inside the caller's transaction. */
  add(alert: Alert): void {
    this.sql.exec("INSERT INTO alert_outbox (id, payload) VALUES (?, ?) ON CONFLICT(id) DO NOTHING", alert.id, JSON.stringify(alert));
  }

  isEmpty(): boolean {
    return this.sql.exec("SELECT 1 FROM alert_outbox LIMIT 1").toArray().length === 0;
  }

  /** Ships what waits to D1; false when D1 refused (the alerts stay for the next try). */
  async ship(env: Env, tenantId: string): Promise<boolean> {
    const rows = this.sql.exec<{ id: string; payload: string }>("SELECT id, payload FROM alert_outbox ORDER BY rowid LIMIT ?", BATCH).toArray();
    if (rows.length === 0) return true;
    try {
      await shipEvents(env, tenantId, rows.map((row) => JSON.parse(row.payload) as Alert), []);
    } catch (error) {
      console.warn("alert shipment failed:", String(error));
      return false;
    }
    for (const row of rows) this.sql.exec("DELETE FROM alert_outbox WHERE id = ?", row.id);
    return true;
  }
}
