-- The webhook's event filter (instance.Instance.WebhookEvents) as a JSON
-- array of event names. NULL is no filter (every event), which is what
-- existing rows keep; '[]' is a filter that takes no event, so the two
-- must stay distinct.
ALTER TABLE instances ADD COLUMN webhook_events TEXT;
