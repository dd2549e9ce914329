/**
 * A shipment split by where its rows live: operations, journal entries and events on the shard their placement names
 * (src/shards/placement.ts; an operation's events by the operation's creation time, as its row), alerts, card changes and audit entries in the directory. An alert's own record is in the
 * directory, and its `alert.raised` event in the log on the shard. Pure.
 */
import { shardOfRow, type Placement } from "../shards/placement";
import { alertEvent } from "../webhooks/events";
import type { Shipment } from "./projection";

/** The target of a part that goes to DB, the directory. */
export const DIRECTORY = "directory";

export function shipmentParts(shipment: Shipment, placement: Placement): Map<string, Shipment> {
  const parts = new Map<string, Shipment>();
  const part = (target: string): Shipment => {
    let found = parts.get(target);
    if (!found) parts.set(target, (found = { tenant_id: shipment.tenant_id, member_id: shipment.member_id, operations: [], entries: [], cards: [], alerts: [], events: [], audits: [] }));
    return found;
  };
  const onShard = (at: string) => part(shardOfRow(placement, shipment.member_id, at));
  for (const operation of shipment.operations) onShard(operation.operation.created_at).operations.push(operation);
  for (const entry of shipment.entries) onShard(entry.created_at).entries.push(entry);
  // An operation's event goes beside the operation's row, which holds what the event does not (operation-moments.ts).
  for (const event of shipment.events) onShard((event.data as { operation?: { created_at?: string } }).operation?.created_at ?? event.created_at).events.push(event);
  for (const alert of shipment.alerts) {
    part(DIRECTORY).alerts.push(alert);
    onShard(alert.created_at).events.push(alertEvent(alert));
  }
  if (shipment.cards.length > 0) part(DIRECTORY).cards.push(...shipment.cards);
  // `?? []`: an account still running the version before audit entries rode the outbox ships none.
  if ((shipment.audits ?? []).length > 0) part(DIRECTORY).audits.push(...shipment.audits);
  return parts;
}
