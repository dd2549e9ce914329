/** What open console pages are shown live: new alerts and alerts that moved on, pushed by the tenant's TenantDO. */
import type { Env } from "../env";
import { tenantObjectOf } from "../objects";

export type ConsoleMessage = { type: "alerts"; alerts: object[] } | { type: "alert_changed"; alert: object };

/** Pushes a message to every console socket of the tenant; a failure costs only the live view (pages load fresh). */
export async function announceToConsoles(env: Env, tenantId: string, message: ConsoleMessage): Promise<void> {
  try {
    await tenantObjectOf(env, tenantId).announce(message);
  } catch (error) {
    console.warn("console announcement failed:", String(error));
  }
}

/**
 * Closes the console pages of a session that ended, or of a member of staff whose access changed (their page connects
 * again and is checked again). Called after the change is written, before the answer: nothing more reaches them.
 */
export async function closeConsoles(env: Env, tenantId: string, which: { session: string } | { staff: string; except?: string }): Promise<void> {
  await tenantObjectOf(env, tenantId).closeConsoles(which);
}
