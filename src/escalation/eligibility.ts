// Which people may take a waiting conversation: supervisors any; an agent when they
// speak the customer's language (or its first fallback, e.g. Hindi for Maithili) and
// have the skill the topic needs — named after the specialist bot that owns it (an
// agent without listed skills is a generalist).
import type { Actor } from '../agents/authenticate.ts';
import { FALLBACKS } from '../i18n/i18n.ts';
import type { Locale } from '../config/env.ts';
import type { BotRegistry } from '../packs/registry.ts';

/** The skill a conversation needs: the id of the specialist bot that owns its intent (none for triage's small talk). */
export type SkillOf = (intent: string | undefined) => string | undefined;

export function skillsOf(bots: BotRegistry): SkillOf {
  return (intent) => {
    const owner = intent ? bots.ownerOf(intent)?.contract.id : undefined;
    return owner === bots.triageId ? undefined : owner;
  };
}

/** `conversation.skill`: the team or skill a person transferred it to, which wins over the intent's. */
export function mayTake(
  actor: Pick<Actor, 'role' | 'languages' | 'skills'>,
  conversation: { locale: string; intent?: string | undefined; skill?: string | undefined },
  skillFor: SkillOf = () => undefined,
): boolean {
  if (actor.role === 'supervisor') return true;
  const near = FALLBACKS[conversation.locale as Locale]?.find((l) => l !== 'en');
  const speaks = actor.languages.includes(conversation.locale) || (near !== undefined && actor.languages.includes(near));
  if (!speaks) return false;
  const skill = conversation.skill ?? skillFor(conversation.intent);
  return !skill || actor.skills.length === 0 || actor.skills.includes(skill);
}
