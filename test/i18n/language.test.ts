// Detection and the reply-language policy, on Baton's real training texts.
import { beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { LanguageDetector } from '../../src/i18n/detectLanguage.ts';
import { loadCatalogs } from '../../src/i18n/i18n.ts';
import { DEFAULT_PACK_DIR } from '../../src/packs/loadPack.ts';
import { loadCorpus } from '../../src/understanding/corpus.ts';
import { languageSamples } from '../../src/i18n/languageSamples.ts';
import { decideLanguage } from '../../src/i18n/languagePolicy.ts';
import { languageNamedIn } from '../../src/i18n/languageNames.ts';
import { formatDate, formatMoney } from '../../src/i18n/format.ts';

let detector: LanguageDetector;
beforeAll(() => {
  // As a worker learns them: Baton's texts and the running (demo) pack's.
  const pack = path.join(DEFAULT_PACK_DIR);
  detector = new LanguageDetector(languageSamples({ examples: loadCorpus(path.join(pack, 'training')), catalogs: loadCatalogs(path.join(pack, 'locales')) }));
});

describe('detection', () => {
  it.each([
    ['என் ஆர்டர் எங்கே இருக்கிறது?', 'ta'],
    ['মোৰ অৰ্ডাৰটো ক’ত আছে?', 'as'],
    ['আমার অর্ডার কোথায় আছে?', 'bn'],
    ['منهنجو آرڊر ڪٿي آهي؟', 'sd'],
    ['میرا آرڈر کہاں ہے؟', 'ur'],
    ['ᱤᱧᱟᱜ ᱚᱰᱚᱨ ᱚᱠᱟᱨᱮ ᱢᱮᱱᱟᱜᱼᱟ', 'sat'],
    ['मेरा ऑर्डर कब आएगा?', 'hi'],
    ['where is my order please', 'en'],
  ])('%s → %s', (text, locale) => {
    expect(detector.detect(text).locale).toBe(locale);
  });

  it('recognises romanized Hindi and says so', () => {
    const d = detector.detect('mera order kab aayega bhai');
    expect(d.locale).toBe('hi');
    expect(d.locale && d.romanized).toBe(true);
  });

  it.each(['ok', '1', '👍', 'ORD-1001', 'hi', 'thx', 'asdf qwer zxcv'])('never decides on %s', (text) => {
    expect(detector.detect(text).locale).toBeUndefined();
  });
});

describe('romanized languages', () => {
  it('recognises romanized text of the languages that have romanized training, and short English stays English', () => {
    expect(detector.detect('mala maze paise parat pahijet').locale).toBe('mr');
    expect(detector.detect('mero paisa kahile firta hunchha').locale).toBe('ne');
    expect(detector.detect('nanna order innu bandilla yaake').locale).toBe('kn');
    // A language with a stray Latin line or two in its catalogs has no romanized model.
    expect(detector.detect('cancel ORD-1003 please').locale).not.toBe('mni');
  });
});

describe('policy', () => {
  const decide = (text: string, opts: Partial<Parameters<typeof decideLanguage>[0]> = {}) =>
    decideLanguage({ text, current: 'ta', chosen: null, asksToSwitch: false, detector, ...opts });

  it('short messages never flip the language', () => {
    for (const text of ['ok', '1', '👍', 'ORD-1001', 'thanks']) expect(decide(text).locale).toBe('ta');
  });
  it('a confident detection sets the language when nothing was chosen', () => {
    expect(decide('मेरा ऑर्डर कब आएगा?').locale).toBe('hi');
  });
  it('an unsure guess in a script English is not written in is answered in that script, never in English', () => {
    const unsure = (locale: 'mai' | 'bn' | 'ur', script: 'Devanagari' | 'Bengali' | 'Arabic') =>
      ({ detect: () => ({ locale, confidence: 0.3, script, romanized: false, by: 'ngram' }) }) as unknown as LanguageDetector;
    expect(decide('आदरणीय महोदय, हमर ऑर्डर कतय अछि', { current: 'en', detector: unsure('mai', 'Devanagari') }).locale).toBe('mai');
    expect(decide('আমার অর্ডার', { current: 'en', detector: unsure('bn', 'Bengali') }).locale).toBe('bn');
    expect(decide('میرا آرڈر', { current: 'en', detector: unsure('ur', 'Arabic') }).locale).toBe('ur');
    // The conversation already in a language of that script keeps it.
    expect(decide('आदरणीय महोदय, हमर ऑर्डर कतय अछि', { current: 'mr', detector: unsure('mai', 'Devanagari') }).locale).toBe('mr');
    expect(decide('আমার অর্ডার', { current: 'mni', detector: unsure('bn', 'Bengali') }).locale).toBe('mni');
  });
  it('a chosen language wins over detection', () => {
    expect(decide('where is my order please', { chosen: 'ta' }).locale).toBe('ta');
  });
  it('asking for a language by name, in any language, chooses it', () => {
    expect(decide('please reply in Tamil', { current: 'en', asksToSwitch: true })).toMatchObject({ locale: 'ta', chosen: 'ta' });
    expect(decide('हिंदी में बात करो', { current: 'en', asksToSwitch: true })).toMatchObject({ locale: 'hi', chosen: 'hi' });
    expect(decide('x', { current: 'en', replyId: 'lang:bn' })).toMatchObject({ locale: 'bn', chosen: 'bn' });
  });
  it('finds the language asked for, not the one named first', () => {
    expect(languageNamedIn('switch from English to Marathi')).toBe('mr');
    expect(languageNamedIn('தமிழில் பேசுங்கள்')).toBe('ta');
    expect(languageNamedIn('no language here')).toBeUndefined();
  });
});

describe('formatting', () => {
  it('shows rupees with Indian grouping and dates in the locale', () => {
    expect(formatMoney(24990000, 'en')).toBe('₹2,49,900.00');
    expect(formatDate(new Date('2026-11-28T10:00:00Z'), 'hi')).toMatch(/नवंबर/);
    expect(formatDate(new Date('2026-11-28T10:00:00Z'), 'ta')).toMatch(/நவம்பர்/);
  });
});
