// Each language's own name (for menus) and the names customers use for it in English,
// in the language itself, in Hindi and romanized, so "reply in Tamil", "தமிழில்
// பேசுங்கள்" and "हिंदी में बात करो" all find the language asked for.
import type { Locale } from '../config/env.ts';

export const ENDONYM: Record<Locale, string> = {
  en: 'English', as: 'অসমীয়া', bn: 'বাংলা', brx: 'बड़ो', doi: 'डोगरी', gu: 'ગુજરાતી', hi: 'हिन्दी',
  kn: 'ಕನ್ನಡ', ks: 'کٲشُر', kok: 'कोंकणी', mai: 'मैथिली', ml: 'മലയാളം', mni: 'ꯃꯤꯇꯩꯂꯣꯟ', mr: 'मराठी',
  ne: 'नेपाली', or: 'ଓଡ଼ିଆ', pa: 'ਪੰਜਾਬੀ', sa: 'संस्कृतम्', sat: 'ᱥᱟᱱᱛᱟᱲᱤ', sd: 'سنڌي', ta: 'தமிழ்',
  te: 'తెలుగు', ur: 'اردو',
};

const NAMES: Record<Locale, string[]> = {
  en: ['english', 'angrezi', 'angreji', 'अंग्रेज़ी', 'अंग्रेजी', 'इंग्लिश', 'ইংৰাজী', 'ইংরেজি', 'ஆங்கிலம்', 'ఇంగ్లీష్', 'ಇಂಗ್ಲಿಷ್', 'ഇംഗ്ലീഷ്', 'ਅੰਗਰੇਜ਼ੀ', 'અંગ્રેજી', 'ଇଂରାଜୀ', 'انگریزی', 'انگريزي', 'ഇംഗ്ലീഷി', 'ಇಂಗ್ಲಿಷ', 'ஆங்கில', 'ఇంగ్లీష', 'ᱤᱝᱨᱟᱡᱤ', 'ᱤᱝᱞᱤᱥ', 'ਇੰਗਲਿਸ਼', 'ઇંગ્લિશ', 'இங்கிலீஷ்', 'ఆంగ్ల'],
  as: ['assamese', 'asamiya', 'axomiya', 'অসমীয়া', 'असमिया', 'असमीया'],
  bn: ['bengali', 'bangla', 'বাংলা', 'বাংলায়', 'बंगाली', 'बांग्ला', 'ᱵᱟᱝᱞᱟ', 'ਬੰਗਾਲੀ'],
  brx: ['bodo', 'boro', 'बड़ो', 'बोडो', 'बर'],
  doi: ['dogri', 'डोगरी'],
  gu: ['gujarati', 'ગુજરાતી', 'गुजराती', 'ਗੁਜਰਾਤੀ'],
  hi: ['hindi', 'हिंदी', 'हिन्दी', 'হিন্দী', 'হিন্দি', 'ஹிந்தி', 'இந்தி', 'హిందీ', 'ಹಿಂದಿ', 'ഹിന്ദി', 'ਹਿੰਦੀ', 'હિન્દી', 'ହିନ୍ଦୀ', 'ہندی', 'ᱦᱤᱱᱫᱤ'],
  kn: ['kannada', 'ಕನ್ನಡ', 'कन्नड़', 'कन्नड', 'കന്നഡ', 'கன்னட', 'కన్నడ'],
  ks: ['kashmiri', 'koshur', 'کٲشُر', 'کشمیری', 'कश्मीरी'],
  kok: ['konkani', 'कोंकणी', 'कोकणी'],
  mai: ['maithili', 'मैथिली'],
  ml: ['malayalam', 'മലയാളം', 'मलयालम', 'മലയാളത്ത', 'ಮಲಯಾಳ', 'மலையாள', 'మలయాళ'],
  mni: ['manipuri', 'meitei', 'meiteilon', 'ꯃꯤꯇꯩꯂꯣꯟ', 'মণিপুরী', 'মৈতৈলোন', 'मणिपुरी'],
  mr: ['marathi', 'मराठी', 'मराठीत', 'ਮਰਾਠੀ'],
  ne: ['nepali', 'नेपाली'],
  or: ['odia', 'oriya', 'ଓଡ଼ିଆ', 'ओड़िया', 'उड़िया', 'ओडिया', 'ᱳᱰᱤᱭᱟ'],
  pa: ['punjabi', 'panjabi', 'ਪੰਜਾਬੀ', 'पंजाबी', 'પંજાબી'],
  sa: ['sanskrit', 'संस्कृत', 'संस्कृतम्'],
  sat: ['santali', 'santhali', 'ᱥᱟᱱᱛᱟᱲᱤ', 'संथाली', 'सांताली', 'ᱦᱚᱲ ᱨᱚᱲ'],
  sd: ['sindhi', 'سنڌي', 'سندھی', 'सिंधी'],
  ta: ['tamil', 'தமிழ்', 'தமிழில்', 'तमिल', 'ತಮಿಳ', 'തമിഴ', 'తమిళ', 'ਤਮਿਲ'],
  te: ['telugu', 'తెలుగు', 'తెలుగులో', 'तेलुगु', 'तेलगु', 'ತೆಲುಗು', 'തെലുങ്ക', 'தெலுங்கு'],
  ur: ['urdu', 'اردو', 'اُردو', 'उर्दू', 'ਉਰਦੂ', 'ઉર્દૂ'],
};

/** The language a message names, if it names exactly one (the one asked for). */
export function languageNamedIn(text: string): Locale | undefined {
  const lower = text.toLowerCase().normalize('NFC');
  const found = (Object.entries(NAMES) as Array<[Locale, string[]]>).filter(([, names]) =>
    names.some((name) => (/^[a-z]+$/.test(name) ? new RegExp(`\\b${name}\\b`).test(lower) : lower.includes(name))),
  );
  // "switch from English to Tamil": the last language named is the one wanted.
  if (found.length <= 1) return found[0]?.[0];
  const position = (locale: Locale) => Math.max(...NAMES[locale].map((n) => lower.lastIndexOf(n)));
  return found.sort((a, b) => position(b[0]) - position(a[0]))[0]![0];
}
