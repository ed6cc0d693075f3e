// Which language Baton answers in, message by message:
// 1. An explicit choice wins: a language-menu button, or asking for a language by
//    name ("reply in Tamil", "हिंदी में बात करो"). It is remembered on the contact.
// 2. A remembered choice is kept whatever the customer writes next.
// 3. Otherwise the detected language of the message, when the message is long enough
//    to tell and the detector is confident; short messages never flip the language.
//    A message in a script English is not written in (Devanagari, Bengali, Perso-Arabic…)
//    that is not confidently one language is still answered in the most likely language
//    of that script, never in English; if the conversation's language already uses
//    that script, it is kept.
// Romanized Indian-language text ("mera order kab aayega") counts as that language
// and is answered in its native script, with the menu offering to switch.
import { Locale } from '../config/env.ts';
import type { Detection, LanguageDetector } from './detectLanguage.ts';
import { languageNamedIn } from './languageNames.ts';
import { CANDIDATES } from './scripts.ts';

export const MIN_DETECTION_CONFIDENCE = 0.6;
/**
 * Romanized text shares its letters and many words ("please", "cancel", "order") with
 * English: it takes more certainty to move an English conversation to another language.
 */
export const MIN_ROMANIZED_CONFIDENCE = 0.7;

export type LanguageDecision = {
  locale: Locale;
  /** Set when the customer chose a language in this message. */
  chosen?: Locale;
  detection: Detection;
};

export function decideLanguage(input: {
  text: string;
  replyId?: string | undefined;
  current: string;
  chosen: string | null;
  asksToSwitch: boolean;
  detector: LanguageDetector;
}): LanguageDecision {
  const detection = input.detector.detect(input.text);
  const current = Locale.catch('en').parse(input.current);
  const fromMenu = input.replyId?.startsWith('lang:') ? Locale.safeParse(input.replyId.slice(5)) : undefined;
  if (fromMenu?.success) return { locale: fromMenu.data, chosen: fromMenu.data, detection };
  if (input.asksToSwitch) {
    const named = languageNamedIn(input.text);
    if (named) return { locale: named, chosen: named, detection };
  }
  if (input.chosen) return { locale: Locale.catch(current).parse(input.chosen), detection };
  const needed = detection.locale && detection.romanized && current === 'en' ? MIN_ROMANIZED_CONFIDENCE : MIN_DETECTION_CONFIDENCE;
  if (detection.locale && detection.confidence >= needed) return { locale: detection.locale, detection };
  if (detection.locale && !detection.romanized && detection.script !== 'Latin' && !CANDIDATES[detection.script].includes(current)) {
    return { locale: detection.locale, detection };
  }
  return { locale: current, detection };
}
