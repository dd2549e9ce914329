-- Events logged before the object inside `data` said `livemode` (0014 put it on the event only): the object gets
-- its tenant's livemode too, in the log (GET /v1/events, redelivery) and in deliveries still queued. Only `data`
-- holding one object is touched; run on rows already carrying it, it writes the same value again.
UPDATE events SET payload = json_set(payload,
    '$.livemode', json(iif(coalesce((SELECT livemode FROM tenants t WHERE t.id = events.tenant_id), 1), 'true', 'false')),
    '$.data.' || (SELECT key FROM json_each(payload, '$.data') LIMIT 1) || '.livemode',
    json(iif(coalesce((SELECT livemode FROM tenants t WHERE t.id = events.tenant_id), 1), 'true', 'false')))
  WHERE json_type(payload, '$.data') = 'object'
    AND (SELECT type FROM json_each(payload, '$.data') LIMIT 1) = 'object';
UPDATE webhook_deliveries SET payload = json_set(payload,
    '$.livemode', json(iif(coalesce((SELECT livemode FROM tenants t WHERE t.id = webhook_deliveries.tenant_id), 1), 'true', 'false')),
    '$.data.' || (SELECT key FROM json_each(payload, '$.data') LIMIT 1) || '.livemode',
    json(iif(coalesce((SELECT livemode FROM tenants t WHERE t.id = webhook_deliveries.tenant_id), 1), 'true', 'false')))
  WHERE delivered_at IS NULL AND json_type(payload, '$.data') = 'object'
    AND (SELECT type FROM json_each(payload, '$.data') LIMIT 1) = 'object';
