/**
 * The member's open pages (WebSocket Hibernation API), kept by the member's AccountDO: the Worker checked the session
 * and the Origin and handed the upgrade over; this accepts it, sends what changed once a transaction committed, and
 * closes the pages of a session that ended. It decides nothing about the account.
 */
import { SESSION_ABSOLUTE_MS } from "../auth/member-sessions";
import { messageText } from "../tenants/livemode";

const SOCKET_OPEN = 1;
const TAG = "member";

type Attachment = { session?: string; connected_at?: number; livemode?: boolean } | null;
const attachmentOf = (ws: WebSocket) => ws.deserializeAttachment() as Attachment;

export class MemberPages {
  constructor(private readonly ctx: DurableObjectState) {
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  /** Accepts a page's socket, unless its session has ended. */
  accept(request: Request): Response {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return new Response("Expected a WebSocket upgrade", { status: 426 });
    const session = request.headers.get("x-tillsafe-session") ?? "";
    if (this.ctx.storage.sql.exec("SELECT 1 FROM ended_sessions WHERE id = ?", session).toArray().length > 0) {
      return new Response("The session has ended", { status: 401 });
    }
    const [client, server] = Object.values(new WebSocketPair());
    this.ctx.acceptWebSocket(server, [TAG]);
    server.serializeAttachment({ session, connected_at: Date.now(), livemode: request.headers.get("x-tillsafe-livemode") !== "false" });
    return new Response(null, { status: 101, webSocket: client });
  }

  /**
   * Sessions that have ended (signed out, switched to another membership, revoked by the back office): the pages
   * open under them close, and they are remembered, so an upgrade that passed the session check in D1 just before
   * the end but reaches this object after it is refused (kept 7 days, a session's longest life).
   */
  endSessions(sessionIds: string[], now: number): void {
    if (sessionIds.length === 0) return;
    this.ctx.storage.transactionSync(() => {
      for (const id of sessionIds) this.ctx.storage.sql.exec("INSERT OR IGNORE INTO ended_sessions (id, ended_at) VALUES (?, ?)", id, now);
      this.ctx.storage.sql.exec("DELETE FROM ended_sessions WHERE ended_at < ?", now - SESSION_ABSOLUTE_MS);
    });
    const ended = new Set(sessionIds);
    for (const ws of this.ctx.getWebSockets(TAG)) {
      if (ended.has(attachmentOf(ws)?.session ?? "")) closeQuietly(ws, 4001, "session ended");
    }
  }

  /** Sends a message to every open page, its objects marked with the tenant's livemode; answers how many got it. */
  broadcast(message: object | (() => object)): number {
    const sockets = this.ctx.getWebSockets(TAG);
    if (sockets.length === 0) return 0;
    const textFor = messageText(typeof message === "function" ? message() : message);
    let sent = 0;
    for (const ws of sockets) {
      if (ws.readyState !== SOCKET_OPEN) continue;
      try {
        ws.send(textFor(attachmentOf(ws)?.livemode ?? true));
        sent += 1;
      } catch {
        // a socket closing under us: the others still get it
      }
    }
    return sent;
  }
}

/** Closes a socket that may be closing already. */
export function closeQuietly(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // already closed
  }
}
