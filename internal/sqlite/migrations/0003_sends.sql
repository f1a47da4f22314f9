-- Rebuilding an instance's rolling lane windows after a restart reads its
-- sends of the last 24 hours.
CREATE INDEX messages_instance_sent ON messages(instance_name, sent_at) WHERE status = 'sent';
