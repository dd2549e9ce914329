/**
 * Examples for the document (/openapi.json, /docs): one café's day, told by its main bodies. Plain data; a test holds
 * each one to the schema it illustrates, so an example cannot drift from what the server accepts and answers.
 */

const STORE = "sto_2b9c4d1e0f3a5b67";
const REGISTER = "reg_5e8a1c3b7d9f0e24";
const MEMBER = "mem_0a1b2c3d4e5f6789";
const CARD = "4000123412341234";
const OPERATION = "op_3f2e1d0c9b8a7654";
const AT = "2026-11-30T09:14:05.120Z";

export const operation = {
  id: OPERATION,
  type: "purchase",
  status: "confirmed",
  card: CARD,
  member_id: MEMBER,
  store_id: STORE,
  register_id: REGISTER,
  cheque: { number: "R-1042", total: 1250 },
  payments: [{ method: "credit", amount: 1000 }],
  accrue_points: true,
  accrual: { points: 25 },
  authorization: { method: "approval", status: "approved", steps: { approval: "approved" } },
  expires_at: "2026-11-30T09:29:05.120Z",
  created_at: AT,
  updated_at: "2026-11-30T09:14:19.804Z",
  confirmed_at: "2026-11-30T09:14:19.804Z",
  cancelled_at: null,
  livemode: true,
};

export const approvalRequest = {
  id: "apr_6d5c4b3a2f1e0d9c",
  operation_id: OPERATION,
  amount: 1000,
  methods: ["credit"],
  payments: [{ method: "credit", amount: 1000 }],
  status: "approved",
  store_id: STORE,
  store_name: "Harbour St",
  register_id: REGISTER,
  register_name: "Till 1",
  cheque_number: "R-1042",
  created_at: "2026-11-30T09:14:06.002Z",
  expires_at: "2026-11-30T09:16:06.002Z",
  answered_at: "2026-11-30T09:14:17.450Z",
  livemode: true,
};

export const card = { number: CARD, status: "active", block_reason: null, replaced_by: null, member_id: MEMBER, livemode: true };

export const member = {
  id: MEMBER,
  name: "Ana Lima",
  phone: "+61412345678",
  external_ref: "crm-8812",
  created_at: "2026-10-02T23:40:11.000Z",
  livemode: true,
  balances: {
    credit: { balance: 4000, available: 4000 },
    cashback: { balance: 150, available: 150 },
    points: { balance: 1225, available: 1200 },
  },
  cards: [card],
};

export const limit = {
  id: "lim_1a2b3c4d5e6f7081",
  scope: "card",
  scope_id: null,
  per: null,
  metric: "deducted_amount",
  method: "credit",
  period: "day",
  hard: null,
  soft: { lower: 20000, upper: 50000 },
  created_at: "2026-11-01T08:00:00.000Z",
  livemode: true,
};

const raisedAlert = {
  id: "alt_9e8d7c6b5a4f3e2d",
  type: "limit.soft_crossed",
  limit_id: limit.id,
  scope: "card",
  scope_id: CARD,
  metric: "deducted_amount",
  period: "day",
  bound: 20000,
  value: 21000,
  operation_id: OPERATION,
  created_at: AT,
  livemode: true,
};

export const alert = { ...raisedAlert, status: "open", acknowledged_at: null, acknowledged_by: null, resolved_at: null, resolved_by: null, note: null };

export const webhookEndpoint = {
  id: "whe_4c3b2a1f0e9d8c7b",
  url: "https://pos.example/tillsafe/events",
  events: ["operation.confirmed", "alert.raised"],
  created_at: "2026-11-01T08:05:00.000Z",
  livemode: true,
};

/** An event as GET /v1/events lists it and a webhook endpoint receives it. */
export const events = {
  "operation.confirmed": { id: `evt_${OPERATION.slice(3)}`, type: "operation.confirmed", created_at: operation.confirmed_at, livemode: true, data: { operation } },
  "alert.raised": { id: `evt_${raisedAlert.id.slice(4)}`, type: "alert.raised", created_at: AT, livemode: true, data: { alert: raisedAlert } },
  "card.blocked": {
    id: "evt_0f1e2d3c4b5a6978",
    type: "card.blocked",
    created_at: "2026-11-30T17:02:44.310Z",
    livemode: true,
    data: { card: { ...card, status: "blocked", block_reason: "Reported lost" } },
  },
  "approval_request.answered": {
    id: `evt_${approvalRequest.id}_answered`,
    type: "approval_request.answered",
    created_at: approvalRequest.answered_at,
    livemode: true,
    data: { approval_request: approvalRequest },
  },
};

/** The member page's live messages. */
export const memberMessages = {
  approval_request: { type: "approval_request", request: { ...approvalRequest, status: "pending", answered_at: null } },
  balance: { type: "balance", balances: member.balances },
};

export const consoleMessages = { alerts: { type: "alerts", alerts: [{ ...raisedAlert, status: "open" }] } };

// ---- request bodies --------------------------------------------------------------------------------------------

export const createOperation = [
  { type: "purchase", card: CARD, cheque: { number: "R-1042", total: 1250 }, payments: [{ method: "credit", amount: 1000 }], accrue_points: true },
  { type: "refund", original_operation_id: OPERATION, amount: 500 },
  { type: "top_up", card: CARD, method: "credit", amount: 5000 },
];
export const createLimit = [
  { scope: "card", metric: "deducted_amount", method: "credit", period: "day", soft: { lower: 20000, upper: 50000 } },
  { scope: "store", scope_id: STORE, metric: "manual_operation_count", period: "day", hard: 10 },
];
export const createWebhookEndpoint = { url: webhookEndpoint.url, events: webhookEndpoint.events };
export const createMember = { name: "Ana Lima", phone: "+61412345678", external_ref: "crm-8812" };
export const blockCard = { reason: "Reported lost" };
export const verifyCode = { code: "000000" };
export const createTenant = { name: "Harbour Café", currency: "AUD", timezone: "Australia/Sydney", livemode: false };
