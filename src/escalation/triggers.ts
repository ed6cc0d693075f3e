// Signals that a person should take over whatever the bot could still say: legal
// threats, abuse, shouting, the same message again and again, strong negative words.
// Word lists cover English, Hindi (Devanagari and romanized) and the commonest
// Indian-language expressions; the classifier's human.request covers asking for a
// person in every language.

export type Trigger = { reason: 'legal' | 'frustration'; signal: string };

const LEGAL = [
  /\b(lawyer|advocate|legal action|legal notice|(will|going to|gonna) sue|sue (you|your company|your firm|this company)|suing|court|consumer forum|police complaint)\b/i,
  // A police FIR. Lower-case "fir" alone is also romanized Hindi for "again" ("fir se").
  /\bFIR\b/,
  /\b(file|lodge|register)\w*\s+(an?\s+)?fir\b|\bfir\s+(darj|file|lodge|kar(unga|ungi|enge|denge))\b/i,
  /वकील|कानूनी|अदालत|कोर्ट|उपभोक्ता फोरम|पुलिस में शिकायत|मुकदमा/,
  /\b(vakil|kanooni|adalat|case kar(unga|ungi|denge))\b/i,
  // Stems without the final virama/chillu, so inflected forms match (வழக்கறிஞரிடம், വക്കീലിനെ).
  /আইনজীবী|আদালত|வழக்கறிஞர|நீதிமன்ற|న్యాయవాది|కోర్టు|ವಕೀಲ|ന്യായാധിപ|വക്കീ(?:ൽ|ല)|ਵਕੀਲ|વકીલ|ଓକିଲ|وکیل|عدالت/,
];

const ABUSE_OR_ANGER = [
  /\b(useless|worst|pathetic|terrible|horrible|rubbish|nonsense|idiot|stupid|fraud|scam|cheat(ers|ing)?|disgusting|hate (you|this|your))\b/i,
  /बेकार|घटिया|बकवास|धोखा|धोखेबाज|फ्रॉड|चोर|बेवकूफ|गुस्सा|सबसे खराब/,
  /\b(bakwas|bekar|ghatiya|dhokha|chor|bewakoof)\b/i,
  /বাজে|প্রতারক|மோசம|ஏமாற்று|చెత్త|మోసం|ಕೆಟ್ಟ|ಮೋಸ|മോശ(?:ം|മ)|തട്ടിപ്പ്|ਬਕਵਾਸ|ਧੋਖਾ|બકવાસ|છેતરપિંડી|ବେକାର|بکواس|دھوکہ/,
];

const POSITIVE = /\b(thanks?|thank you|great|awesome|love|perfect|wonderful|amazing)\b|धन्यवाद|शुक्रिया|dhanyavad|shukriya/i;

/** Most letters upper case in a message long enough to mean it. */
function shouting(text: string): boolean {
  const letters = text.match(/[A-Za-z]/g) ?? [];
  if (letters.length < 10) return false;
  const upper = letters.filter((c) => c >= 'A' && c <= 'Z').length;
  // "Where is my refund!!!" is impatience; "Thank you so much!!!" is delight.
  return upper / letters.length > 0.7 || (/!{3,}/.test(text) && !POSITIVE.test(text));
}

const normalize = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

/**
 * `recent` holds the customer's previous messages in this conversation, newest last.
 * Three times the same message (the customer is not being understood) escalates.
 */
export function detectTrigger(text: string, recent: readonly string[]): Trigger | undefined {
  if (LEGAL.some((re) => re.test(text))) return { reason: 'legal', signal: 'legal_threat' };
  if (ABUSE_OR_ANGER.some((re) => re.test(text))) return { reason: 'frustration', signal: 'negative_words' };
  if (shouting(text)) return { reason: 'frustration', signal: 'shouting' };
  const current = normalize(text);
  if (current.length >= 2 && recent.slice(-2).length === 2 && recent.slice(-2).every((r) => normalize(r) === current)) {
    return { reason: 'frustration', signal: 'repeated' };
  }
  return undefined;
}

/** A rough sentiment for the envelope: -1 when a trigger fired, else 0. */
export const sentimentOf = (trigger: Trigger | undefined) => (trigger?.reason === 'frustration' ? -1 : trigger ? -0.5 : 0);
