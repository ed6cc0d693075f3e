// What the classifier concludes about one message. Intents are names a pack declares,
// plus Baton's own runtime intents, which every pack has.
/** Intents Baton itself understands and answers in any pack. */
export const RUNTIME_INTENTS = ['greeting', 'thanks', 'goodbye', 'human.request', 'language.switch'] as const;
export type RuntimeIntent = (typeof RUNTIME_INTENTS)[number];
/** Intents the triage bot answers itself (small talk). */
export const SMALL_TALK: readonly string[] = ['greeting', 'thanks', 'goodbye'];
/** Nothing understood. */
export const NO_INTENT = 'None';

export type Understanding = {
  intent: string;
  confidence: number;
  /** Second best, for explaining low confidence. */
  alternatives: Array<{ intent: string; score: number }>;
  source: 'neural' | 'llm' | 'rule';
};
