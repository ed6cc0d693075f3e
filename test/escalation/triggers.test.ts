// The signals that send a customer to a person whatever a bot could still say.
import { describe, expect, it } from 'vitest';
import { detectTrigger, sentimentOf, type Trigger } from '../../src/escalation/triggers.ts';

const legal: Trigger = { reason: 'legal', signal: 'legal_threat' };
const negative: Trigger = { reason: 'frustration', signal: 'negative_words' };
const shouting: Trigger = { reason: 'frustration', signal: 'shouting' };
const repeated: Trigger = { reason: 'frustration', signal: 'repeated' };

describe('detectTrigger', () => {
  it.each([
    ['I will take legal action against your company', 'en'],
    ['You will get a legal notice from my lawyer', 'en'],
    ['I am going to sue you', 'en'],
    ['I will complain to the consumer forum', 'en'],
    ['I will file an FIR', 'en'],
    ['I will lodge a fir against you', 'en'],
    ['मैं वकील से बात करूँगा', 'hi'],
    ['मैं आप पर मुकदमा करूँगा', 'hi'],
    ['main vakil se baat karunga', 'hi romanized'],
    ['main case karunga aap par', 'hi romanized'],
    ['police mein fir darj karunga', 'hi romanized'],
    ['நான் வழக்கறிஞரிடம் பேசுவேன்', 'ta'],
    ['நான் நீதிமன்றத்துக்கு போவேன்', 'ta'],
    ['ഞാൻ വക്കീലിനെ കാണും', 'ml'],
    ['আমি আদালতে যাব', 'bn'],
    ['میں وکیل سے بات کروں گا', 'ur'],
  ])('a legal threat: %s (%s)', (text) => {
    expect(detectTrigger(text, [])).toEqual(legal);
  });

  it.each([
    ['This is the worst service ever', 'en'],
    ['Your app is useless', 'en'],
    ['This is a scam', 'en'],
    ['बकवास सर्विस है', 'hi'],
    ['आप लोग धोखेबाज हो', 'hi'],
    ['bakwas service hai yeh', 'hi romanized'],
    ['tum log chor ho', 'hi romanized'],
    ['உங்கள் சேவை மோசம்', 'ta'],
    ['மிகவும் மோசமான சேவை', 'ta'],
    ['വളരെ മോശമായ സേവനം', 'ml'],
    ['খুব বাজে সার্ভিস', 'bn'],
    ['ਬਕਵਾਸ ਸੇਵਾ', 'pa'],
  ])('abuse or strong negative words: %s (%s)', (text) => {
    expect(detectTrigger(text, [])).toEqual(negative);
  });

  it('a legal threat wins over anger in the same message', () => {
    expect(detectTrigger('Useless company, I will take legal action', [])).toEqual(legal);
  });

  it.each(['WHERE IS MY ORDER I PAID A WEEK AGO', 'WHY IS NOBODY ANSWERING ME', 'where is my refund!!!', 'I have been waiting for days!!!!'])(
    'shouting: %s',
    (text) => {
      expect(detectTrigger(text, [])).toEqual(shouting);
    },
  );

  it('the same message a third time', () => {
    expect(detectTrigger('where is my order', ['where is my order', 'where is my order'])).toEqual(repeated);
    // Case and punctuation do not make it a different message.
    expect(detectTrigger('Where is my order?', ['where is my order', 'WHERE is my order!'])).toEqual(repeated);
    expect(detectTrigger('मेरा ऑर्डर कहाँ है', ['मेरा ऑर्डर कहाँ है?', 'मेरा ऑर्डर कहाँ है'])).toEqual(repeated);
    // Only the two messages just before count.
    expect(detectTrigger('where is my order', ['hello', 'where is my order', 'where is my order'])).toEqual(repeated);
  });

  it('a second time is not yet a trigger, nor the same text with something else in between', () => {
    expect(detectTrigger('where is my order', ['where is my order'])).toBeUndefined();
    expect(detectTrigger('where is my order', ['where is my order', 'ORD-1001'])).toBeUndefined();
    expect(detectTrigger('where is my order', ['where is my order', 'hello'])).toBeUndefined();
  });

  it.each([
    'Where is my order ORD-1001?',
    'I was charged twice for ORD-1001',
    'Please cancel ORD-1003',
    'OK',
    'OK!',
    'ORD-1001',
    'ORD-1001 INV-1001',
    'I have an issue with my first order', // "sue" in "issue", "fir" in "first"
    'Please show me the invoice, thanks',
    'मेरा ऑर्डर कहाँ है?',
    'mera order kab aayega',
    'fir se check karo please', // "fir" is also romanized Hindi for "again"
    'order fir kab aayega?',
    'என் ஆர்டர் எங்கே?',
    'I want to talk to a human',
    'Thank you so much!!!', // delight, not anger
    'Hi, this is Sue from accounts', // a name, not a lawsuit
    'I hate to bother you, but where is ORD-1002?',
  ])('not a trigger: %s', (text) => {
    expect(detectTrigger(text, [])).toBeUndefined();
  });

  it('short replies repeated once are not a trigger', () => {
    expect(detectTrigger('ok', ['ok'])).toBeUndefined();
    expect(detectTrigger('1', ['1', '1'])).toBeUndefined();
  });
});

describe('sentimentOf', () => {
  it('is negative for frustration, less so for a legal threat, neutral without a trigger', () => {
    expect(sentimentOf(negative)).toBe(-1);
    expect(sentimentOf(legal)).toBe(-0.5);
    expect(sentimentOf(undefined)).toBe(0);
  });
});

describe('detectTrigger in every language', () => {
  // One legal threat and one angry message per language (locale code first).
  const LEGAL: Array<[string, string]> = [
    ['en', 'I will take this to court'],
    ['as', 'মই উকীলৰ লগত কথা পাতিম'],
    ['bn', 'আমি উকিলের সাথে কথা বলব'],
    ['brx', 'आं उकिलजों खौरां बुंगोन'],
    ['doi', 'मैं तुंदे उप्पर केस करगा'],
    ['gu', 'હું વકીલ સાથે વાત કરીશ'],
    ['hi', 'मैं अदालत जाऊँगा'],
    ['kn', 'ನಾನು ವಕೀಲರ ಜೊತೆ ಮಾತಾಡುತ್ತೇನೆ'],
    ['ks', 'بہٕ گژھہ عدالت'],
    ['kok', 'हांव कोर्टांत वतलों'],
    ['mai', 'हम अहाँ पर कानूनी कार्रवाई करब'],
    ['ml', 'ഞാൻ കോടതിയിൽ പോകും'],
    ['mni', 'ꯑꯩ ꯋꯥꯀꯤꯜ ꯀꯧꯒꯅꯤ'],
    ['mr', 'मी वकिलाकडे जाईन, कायदेशीर कारवाई करीन'],
    ['ne', 'म अदालतमा मुद्दा हाल्छु'],
    ['or', 'ମୁଁ ଓକିଲଙ୍କ ସହ କଥା ହେବି'],
    ['pa', 'ਮੈਂ ਵਕੀਲ ਨਾਲ ਗੱਲ ਕਰਾਂਗਾ'],
    ['sa', 'अहं न्यायालयं गमिष्यामि'],
    ['sat', 'ᱤᱧ ᱣᱟᱠᱤᱞ ᱴᱷᱮᱱ ᱪᱟᱞᱟᱜᱼᱟ'],
    ['sd', 'مان وڪيل سان ڳالهائيندس'],
    ['ta', 'நான் சட்ட நடவடிக்கை எடுப்பேன்'],
    ['te', 'నేను కోర్టుకు వెళ్తాను'],
    ['ur', 'میں عدالت جاؤں گا'],
  ];
  const ANGRY: Array<[string, string]> = [
    ['en', 'what a pathetic company'],
    ['as', 'তোমালোক প্ৰতাৰক'],
    ['bn', 'এটা একদম জঘন্য সার্ভিস'],
    ['brx', 'नोंथांनि सेवा गाज्रि'],
    ['doi', 'तुस लोक ठग ओ'],
    ['gu', 'આ તો છેતરપિંડી છે'],
    ['hi', 'सबसे खराब सर्विस है'],
    ['kn', 'ಇದು ಮೋಸ'],
    ['ks', 'یہ چھُ بےکار'],
    ['kok', 'ही फसवणूक'],
    ['mai', 'ई बड़ बेकार सेवा अछि'],
    ['ml', 'ഇത് തട്ടിപ്പാണ്'],
    ['mni', 'ꯁꯦꯕꯥ ꯑꯁꯤ ꯐꯠꯇꯕꯅꯤ'],
    ['mr', 'फालतू सेवा आहे'],
    ['ne', 'यो त ठगी हो'],
    ['or', 'ଏହା ପ୍ରତାରଣା'],
    ['pa', 'ਇਹ ਧੋਖਾ ਹੈ'],
    ['sa', 'एषः वञ्चकः'],
    ['sat', 'ᱱᱚᱣᱟ ᱫᱷᱚᱠᱟ ᱠᱟᱱᱟ'],
    ['sd', 'هي ٺڳي آهي'],
    ['ta', 'இது ஏமாற்று வேலை'],
    ['te', 'ఇది మోసం'],
    ['ur', 'یہ دھوکہ ہے'],
  ];
  it.each(LEGAL)('a legal threat in %s: %s', (_, text) => {
    expect(detectTrigger(text, [])).toEqual(legal);
  });
  it.each(ANGRY)('anger in %s: %s', (_, text) => {
    expect(detectTrigger(text, [])).toEqual(negative);
  });
  it('covers every language', async () => {
    const { LOCALES } = await import('../../src/config/env.ts');
    expect(new Set(LEGAL.map(([l]) => l))).toEqual(new Set(LOCALES));
    expect(new Set(ANGRY.map(([l]) => l))).toEqual(new Set(LOCALES));
  });
  it('shouting in any cased script counts; a broken app is not anger', () => {
    expect(detectTrigger('MERA REFUND ABHI TAK NAHI AAYA', [])).toEqual(shouting);
    expect(detectTrigger('ΠΟΥ ΕΙΝΑΙ Η ΠΑΡΑΓΓΕΛΙΑ ΜΟΥ', [])).toEqual(shouting);
    expect(detectTrigger('ÇA NE MARCHE PAS DU TOUT ÉVIDEMMENT', [])).toEqual(shouting);
    expect(detectTrigger('app kharab hai, khul nahi rahi', [])).toBeUndefined();
    expect(detectTrigger('ऐप खराब हो गया है', [])).toBeUndefined();
  });
});
