-- A late delivery (a webhook retried, or messages delivered out of order) must not move
-- lastInboundAt back: the WhatsApp 24-hour window is measured from the newest message.
-- The ingest function of 20261203010000_ingest_triage again, with GREATEST in its upsert
-- (a function body cannot be patched, only replaced; only that line differs).
CREATE OR REPLACE FUNCTION baton_ingest_inbound(
  p_channel "Channel",
  p_provider_id TEXT,
  p_external_id TEXT,
  p_phone TEXT,
  p_name TEXT,
  p_kind TEXT,
  p_text TEXT,
  p_payload JSONB,
  p_received_at TIMESTAMPTZ,
  p_default_locale TEXT,
  p_triage TEXT
) RETURNS TABLE (message_id UUID, conversation_id UUID, duplicate BOOLEAN)
LANGUAGE plpgsql AS $$
DECLARE
  v_contact "Contact"%ROWTYPE;
  v_conversation UUID;
  v_message UUID;
BEGIN
  SELECT m.id, m."conversationId" INTO v_message, v_conversation
    FROM "Message" m WHERE m.channel = p_channel AND m."providerMessageId" = p_provider_id;
  IF FOUND THEN
    RETURN QUERY SELECT v_message, v_conversation, TRUE;
    RETURN;
  END IF;

  SELECT c.* INTO v_contact
    FROM "ChannelIdentity" i JOIN "Contact" c ON c.id = i."contactId"
   WHERE i.channel = p_channel AND i."externalId" = p_external_id;
  IF NOT FOUND THEN
    IF p_phone IS NOT NULL THEN
      INSERT INTO "Contact" (id, phone, name, "updatedAt") VALUES (gen_random_uuid(), p_phone, p_name, now())
        ON CONFLICT (phone) DO UPDATE SET name = COALESCE("Contact".name, EXCLUDED.name)
        RETURNING * INTO v_contact;
    ELSE
      INSERT INTO "Contact" (id, name, "updatedAt") VALUES (gen_random_uuid(), p_name, now())
        RETURNING * INTO v_contact;
    END IF;
    INSERT INTO "ChannelIdentity" (id, "contactId", channel, "externalId")
      VALUES (gen_random_uuid(), v_contact.id, p_channel, p_external_id)
      ON CONFLICT (channel, "externalId") DO NOTHING;
    -- A concurrent first message may have linked the address first: theirs wins.
    SELECT c.* INTO v_contact
      FROM "ChannelIdentity" i JOIN "Contact" c ON c.id = i."contactId"
     WHERE i.channel = p_channel AND i."externalId" = p_external_id;
  ELSIF v_contact.name IS NULL AND p_name IS NOT NULL THEN
    UPDATE "Contact" SET name = p_name, "updatedAt" = now() WHERE id = v_contact.id;
  END IF;

  INSERT INTO "Conversation" (id, "contactId", channel, "externalId", "openKey", locale, context, "ownerType", "ownerId", "updatedAt", "lastInboundAt")
    VALUES (
      gen_random_uuid(), v_contact.id, p_channel, p_external_id, v_contact.id::text || ':' || p_channel::text,
      COALESCE(v_contact.locale, p_default_locale),
      jsonb_build_object('slots', COALESCE(v_contact.memory -> 'slots', '{}'::jsonb), 'lineage', jsonb_build_array('bot:' || p_triage)),
      'bot', p_triage, now(), p_received_at)
    ON CONFLICT ("openKey") DO UPDATE SET "lastInboundAt" = GREATEST("Conversation"."lastInboundAt", EXCLUDED."lastInboundAt"), "updatedAt" = now()
    RETURNING id INTO v_conversation;

  INSERT INTO "Message" (id, "conversationId", direction, "authorType", "authorId", "authorName", channel, kind, text, payload, "providerMessageId", status, "updatedAt")
    VALUES (gen_random_uuid(), v_conversation, 'inbound', 'contact', v_contact.id::text, COALESCE(p_name, v_contact.name),
            p_channel, p_kind, p_text, p_payload, p_provider_id, 'received', now())
    ON CONFLICT (channel, "providerMessageId") DO NOTHING
    RETURNING id INTO v_message;
  IF v_message IS NULL THEN
    SELECT m.id, m."conversationId" INTO v_message, v_conversation
      FROM "Message" m WHERE m.channel = p_channel AND m."providerMessageId" = p_provider_id;
    RETURN QUERY SELECT v_message, v_conversation, TRUE;
    RETURN;
  END IF;

  INSERT INTO "Outbox" (kind, "conversationId", "messageId") VALUES ('turn', v_conversation, v_message);
  RETURN QUERY SELECT v_message, v_conversation, FALSE;
END;
$$;
