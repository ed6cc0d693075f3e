// Signals that a person should take over whatever the bot could still say: legal
// threats, abuse, shouting, the same message again and again, strong negative words.
// Word lists cover all 23 languages (LEGAL_WORDS, ANGER_WORDS: stems in each script,
// matched inside words so inflected forms count) plus English and romanized Hindi
// patterns; the classifier's human.request covers asking for a person in every language.

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

/** Per language (besides the patterns above): words of a legal threat, and of anger or abuse. */
const LEGAL_WORDS: Record<string, string[]> = {
  as: ['উকীল', 'আদালত', 'কোৰ্ট', 'আইনী ব্যৱস্থা', 'গোচৰ তৰিম'],
  bn: ['উকিল', 'আইনি ব্যবস্থা', 'মামলা করব', 'কোর্টে'],
  brx: ['उकिल', 'कोर्ट', 'आदालत', 'आइनारि'],
  doi: ['वकील', 'कोर्ट', 'अदालत', 'केस करगा'],
  gu: ['વકીલ', 'કોર્ટ', 'અદાલત', 'કાનૂની', 'કેસ કરીશ'],
  kn: ['ವಕೀಲ', 'ನ್ಯಾಯಾಲಯ', 'ಕೋರ್ಟ್', 'ಕಾನೂನು ಕ್ರಮ'],
  ks: ['وکیل', 'عدالت', 'کورٹ', 'قانونی'],
  kok: ['वकील', 'कोर्ट', 'न्यायालय', 'कायदेशीर'],
  mai: ['वकील', 'कोर्ट', 'अदालत', 'कानूनी'],
  ml: ['വക്കീ', 'കോടതി', 'നിയമനടപടി', 'നിയമ നടപടി'],
  mni: ['ꯋꯥꯀꯤꯜ', 'ꯀꯣꯔꯠ', 'ৱাকিল', 'কোর্ট'],
  mr: ['वकील', 'कोर्ट', 'न्यायालय', 'कायदेशीर कारवाई'],
  ne: ['वकिल', 'अदालत', 'मुद्दा हाल्छु', 'कानुनी'],
  or: ['ଓକିଲ', 'କୋର୍ଟ', 'ଅଦାଲତ', 'ଆଇନଗତ'],
  pa: ['ਵਕੀਲ', 'ਅਦਾਲਤ', 'ਕੋਰਟ', 'ਕਾਨੂੰਨੀ'],
  sa: ['अधिवक्ता', 'न्यायालय', 'विधिक'],
  sat: ['ᱣᱟᱠᱤᱞ', 'ᱠᱳᱨᱴ', 'ᱟᱫᱟᱞᱚᱛ'],
  sd: ['وڪيل', 'عدالت', 'ڪورٽ', 'قانوني'],
  ta: ['வழக்கறிஞர', 'நீதிமன்ற', 'சட்ட நடவடிக்கை', 'வழக்கு போடு'],
  te: ['న్యాయవాది', 'లాయర్', 'కోర్టు', 'చట్టపరమైన'],
  ur: ['وکیل', 'عدالت', 'قانونی کارروائی', 'مقدمہ'],
};
const ANGER_WORDS: Record<string, string[]> = {
  as: ['বেয়া সেৱা', 'ঠগ', 'প্ৰতাৰক', 'বেকাৰ'],
  bn: ['বাজে', 'প্রতারক', 'জঘন্য', 'ফালতু', 'ঠকবাজ'],
  brx: ['गाज्रि', 'फालतु', 'ठग'],
  doi: ['बेकार', 'घटिया', 'ठग', 'धोखा'],
  gu: ['બકવાસ', 'છેતરપિંડી', 'ખરાબ સેવા', 'નકામ', 'ઠગ'],
  kn: ['ಕೆಟ್ಟ', 'ಮೋಸ', 'ಅಸಹ್ಯ', 'ಪ್ರಯೋಜನವಿಲ್ಲ'],
  ks: ['بکواس', 'دوکھ', 'بےکار', 'بیکار'],
  kok: ['वायट', 'फटींग', 'बेकार', 'फसवणूक'],
  mai: ['बेकार', 'धोखा', 'घटिया', 'ठग'],
  ml: ['മോശ', 'തട്ടിപ്പ', 'ചതി', 'വൃത്തികെട്ട'],
  mni: ['ꯐꯠꯇꯕ', 'ফত্তবা', 'ꯂꯧꯅ ꯆꯤꯡꯕ'],
  mr: ['फसवणूक', 'बकवास', 'भंगार', 'फालतू', 'घाणेरड'],
  ne: ['बेकार', 'ठगी', 'धोका', 'वाहियात'],
  or: ['ବେକାର', 'ଠକ', 'ଫାଲତୁ', 'ପ୍ରତାରଣା'],
  pa: ['ਬਕਵਾਸ', 'ਧੋਖਾ', 'ਘਟੀਆ', 'ਬੇਕਾਰ'],
  sa: ['दुष्ट', 'वञ्चक', 'निकृष्ट', 'व्यर्थ'],
  sat: ['ᱵᱚᱠᱣᱟᱥ', 'ᱫᱷᱚᱠᱟ'],
  sd: ['بيڪار', 'ٺڳي', 'دوکو', 'بڪواس'],
  ta: ['மோசம', 'ஏமாற்று', 'கேவலம'],
  te: ['చెత్త', 'మోసం', 'దారుణం'],
  ur: ['بکواس', 'دھوکہ', 'فراڈ', 'گھٹیا', 'بیکار'],
};
// "खराब"/"خراب" (broken, bad) are left out: "app kharab hai" is a fault to fix, not anger.
const mentions = (lists: Record<string, string[]>) => {
  const words = [...new Set(Object.values(lists).flat())];
  return (text: string) => {
    const t = text.normalize('NFC');
    return words.some((w) => t.includes(w));
  };
};
const mentionsLegal = mentions(LEGAL_WORDS);
const mentionsAnger = mentions(ANGER_WORDS);

const POSITIVE = /\b(thanks?|thank you|great|awesome|love|perfect|wonderful|amazing)\b|धन्यवाद|शुक्रिया|dhanyavad|shukriya/i;

/**
 * Most letters upper case in a message long enough to mean it, in any script that has
 * case (Latin with its accents, so romanized Indian languages too; Greek, Cyrillic…);
 * Indian scripts have no case, so there only "!!!" counts.
 */
function shouting(text: string): boolean {
  const letters = text.match(/[\p{Lu}\p{Ll}]/gu) ?? [];
  if (letters.length < 10) return false;
  const upper = letters.filter((c) => /\p{Lu}/u.test(c)).length;
  // "Where is my refund!!!" is impatience; "Thank you so much!!!" is delight.
  return upper / letters.length > 0.7 || (/!{3,}/.test(text) && !POSITIVE.test(text));
}

const normalize = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

/**
 * `recent` holds the customer's previous messages in this conversation, newest last.
 * Three times the same message (the customer is not being understood) escalates.
 */
export function detectTrigger(text: string, recent: readonly string[]): Trigger | undefined {
  if (LEGAL.some((re) => re.test(text)) || mentionsLegal(text)) return { reason: 'legal', signal: 'legal_threat' };
  if (ABUSE_OR_ANGER.some((re) => re.test(text)) || mentionsAnger(text)) return { reason: 'frustration', signal: 'negative_words' };
  if (shouting(text)) return { reason: 'frustration', signal: 'shouting' };
  const current = normalize(text);
  if (current.length >= 2 && recent.slice(-2).length === 2 && recent.slice(-2).every((r) => normalize(r) === current)) {
    return { reason: 'frustration', signal: 'repeated' };
  }
  return undefined;
}

/** A rough sentiment for the envelope: -1 when a trigger fired, else 0. */
export const sentimentOf = (trigger: Trigger | undefined) => (trigger?.reason === 'frustration' ? -1 : trigger ? -0.5 : 0);
