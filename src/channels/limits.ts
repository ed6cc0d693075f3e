// What each channel lets one message carry, and how an SMS is billed. Pure: the turn
// splits long SMS replies with these, agents are held to them, and the console shows
// the segment count before a person sends.
import type { ChannelName } from './channel.ts';

/** Longest text one message may carry, in characters (Twilio: 1,600; WhatsApp text: 4,096). */
export const MAX_TEXT: Readonly<Record<ChannelName, number>> = { sms: 1600, whatsapp: 4096, webchat: 4096 };

/**
 * `text` in ordered parts of at most `max` characters (code points), cut after the last
 * line break or space that leaves a part at least half full, else mid-word.
 */
export function splitText(text: string, max: number): string[] {
  const parts: string[] = [];
  let rest = Array.from(text);
  while (rest.length > max) {
    const window = rest.slice(0, max + 1);
    let cut = -1;
    for (const separator of ['\n', ' ']) {
      const at = window.lastIndexOf(separator);
      if (at >= max / 2) {
        cut = at;
        break;
      }
    }
    const head = cut === -1 ? rest.slice(0, max) : rest.slice(0, cut);
    parts.push(head.join('').trimEnd());
    rest = rest.slice(cut === -1 ? max : cut + 1);
  }
  parts.push(rest.join(''));
  return parts.filter((part, i) => part !== '' || i === 0);
}

// GSM 03.38: the default alphabet (one septet each) and the extension table (two).
const GSM_BASIC = new Set(
  Array.from("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"),
);
const GSM_EXTENDED = new Set(Array.from('^{}\\[~]|€\f'));

export type SmsSegments = {
  /** GSM-7 when every character is in the GSM alphabet; otherwise UCS-2 (any Indian script, emoji). */
  encoding: 'GSM-7' | 'UCS-2';
  /** Characters as the carrier counts them (septets for GSM-7, UTF-16 units for UCS-2). */
  units: number;
  segments: number;
  /** Characters per segment once the text needs more than one: 153 GSM-7, 67 UCS-2. */
  perSegment: number;
};

/** How many SMS segments a body is billed as. */
export function smsSegments(text: string): SmsSegments {
  let septets = 0;
  let gsm = true;
  for (const char of text) {
    if (GSM_BASIC.has(char)) septets += 1;
    else if (GSM_EXTENDED.has(char)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) return { encoding: 'GSM-7', units: septets, segments: septets <= 160 ? 1 : Math.ceil(septets / 153), perSegment: septets <= 160 ? 160 : 153 };
  const units = text.length;
  return { encoding: 'UCS-2', units, segments: units <= 70 ? 1 : Math.ceil(units / 67), perSegment: units <= 70 ? 70 : 67 };
}
