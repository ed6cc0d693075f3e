// Twilio reads our webhook answer as TwiML; an empty <Response> means "send nothing
// now" — replies go out later through the REST API, after the message is stored.
export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';
export const TWIML_CONTENT_TYPE = 'text/xml';
