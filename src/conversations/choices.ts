// Choices offered with a reply, and the customer's answer to them. Every channel that
// cannot show buttons shows the options as numbered lines (SMS, long WhatsApp menus),
// so "2", "२" or the option's own title picks that option like a tap would.
import { asciiDigits } from '../understanding/slots.ts';

export type Offered = ReadonlyArray<{ id: string; title: string }>;

/** The option id a typed answer picks from the last offered options, if it picks one. */
export function pickOffered(offered: Offered | undefined, text: string): string | undefined {
  if (!offered?.length) return undefined;
  // "2", "2.", "(2)", " २ " — a bare number, native digits included.
  const bare = asciiDigits(text.normalize('NFC')).trim().replace(/^[(#[]\s*|\s*[.)\]:]$/gu, '');
  if (/^\d{1,2}$/.test(bare)) return offered[Number(bare) - 1]?.id;
  const said = fold(text);
  if (!said) return undefined;
  return offered.find((option) => fold(option.title) === said)?.id;
}

/** The options of the last reply that offered any: what a number in the next message refers to. */
export function lastOffered(replies: ReadonlyArray<{ options?: Offered | undefined }>): Array<{ id: string; title: string }> | undefined {
  const last = replies.findLast((reply) => reply.options?.length);
  return last?.options ? last.options.map(({ id, title }) => ({ id, title })) : undefined;
}

function fold(text: string): string {
  return text.normalize('NFKC').toLocaleLowerCase().replace(/[\s\p{P}]+/gu, ' ').trim();
}
