-- Send claims (message.SendClaim): while a host hands a message to
-- WhatsApp, sending_until (unix ms) keeps flushes, cancellations and
-- instance deletions off it. NULL when no claim was ever taken.
ALTER TABLE messages ADD COLUMN sending_until INTEGER;
