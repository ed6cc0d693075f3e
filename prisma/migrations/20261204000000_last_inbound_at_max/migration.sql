-- A late delivery (a webhook retried, or messages delivered out of order) must not move
-- lastInboundAt back: the WhatsApp 24-hour window is measured from the newest message.
-- A trigger keeps the maximum whatever writes the column (the ingest function's upsert
-- included), so the function itself is not restated here.
CREATE FUNCTION baton_keep_last_inbound_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF OLD."lastInboundAt" IS NOT NULL AND (NEW."lastInboundAt" IS NULL OR NEW."lastInboundAt" < OLD."lastInboundAt") THEN
    NEW."lastInboundAt" := OLD."lastInboundAt";
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER conversation_last_inbound_at_max
  BEFORE UPDATE OF "lastInboundAt" ON "Conversation"
  FOR EACH ROW EXECUTE FUNCTION baton_keep_last_inbound_at();
