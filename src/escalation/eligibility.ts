// Which people may take a waiting conversation: supervisors any; an agent when they
// speak the customer's language (or its first fallback, e.g. Hindi for Maithili) and
// have the skill the topic needs (an agent without listed skills is a generalist).
import type { Actor } from '../agents/authenticate.ts';
import { FALLBACKS } from '../i18n/i18n.ts';
import type { Locale } from '../config/env.ts';
import { topicOf } from '../handoff/guards.ts';

const SKILL_OF_TOPIC: Record<string, string> = { order: 'orders', billing: 'billing', support: 'support' };

export function skillFor(intent: string | undefined): string | undefined {
  return SKILL_OF_TOPIC[topicOf(intent)];
}

export function mayTake(actor: Pick<Actor, 'role' | 'languages' | 'skills'>, conversation: { locale: string; intent?: string | undefined }): boolean {
  if (actor.role === 'supervisor') return true;
  const near = FALLBACKS[conversation.locale as Locale]?.find((l) => l !== 'en');
  const speaks = actor.languages.includes(conversation.locale) || (near !== undefined && actor.languages.includes(near));
  if (!speaks) return false;
  const skill = skillFor(conversation.intent);
  return !skill || actor.skills.length === 0 || actor.skills.includes(skill);
}
