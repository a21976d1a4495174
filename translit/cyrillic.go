package translit

import "unicode"

// cyrillic transliterates a Cyrillic letter following ICAO Doc 9303 Part 3,
// Section 6, Table B, which is language-independent: Г is G and И is I for
// every language (Ukrainian passports' national H and Y are not applied).
//
// Uncertainty, noted deliberately: we map only the letters we can confirm
// in Table B (Russian, plus Ґ Є І Ї Ў Ђ Ѓ Ѕ Ј Љ Њ Ќ Ћ Џ). The extra
// letters of Kazakh and other Turkic or Caucasian alphabets (Ә Ғ Қ Ң Ө Ұ Ү Һ
// …) and historical letters (Ѣ Ѳ Ѵ Ѫ) are refused rather than guessed;
// the name must then be entered as printed in the passport MRZ.
func cyrillic(r rune) (string, bool) {
	switch unicode.ToUpper(r) {
	case 'А':
		return "A", true
	case 'Б':
		return "B", true
	case 'В':
		return "V", true
	case 'Г', 'Ґ', 'Ѓ':
		return "G", true
	case 'Д', 'Ђ':
		return "D", true
	case 'Е', 'Ё', 'Ѐ':
		return "E", true // Ѐ is Е + grave: same as the decomposed form
	case 'Є':
		return "IE", true
	case 'Ж':
		return "ZH", true
	case 'З':
		return "Z", true
	case 'Ѕ', 'Џ':
		return "DZ", true
	case 'И', 'Ѝ', 'І', 'Ї', 'Й':
		return "I", true // Ѝ is И + grave
	case 'Ј':
		return "J", true
	case 'К', 'Ќ':
		return "K", true
	case 'Л':
		return "L", true
	case 'Љ':
		return "LJ", true
	case 'М':
		return "M", true
	case 'Н':
		return "N", true
	case 'Њ':
		return "NJ", true
	case 'О':
		return "O", true
	case 'П':
		return "P", true
	case 'Р':
		return "R", true
	case 'С':
		return "S", true
	case 'Т':
		return "T", true
	case 'Ћ':
		return "C", true
	case 'У', 'Ў':
		return "U", true
	case 'Ф':
		return "F", true
	case 'Х':
		return "KH", true
	case 'Ц':
		return "TS", true
	case 'Ч':
		return "CH", true
	case 'Ш':
		return "SH", true
	case 'Щ':
		return "SHCH", true
	case 'Ъ':
		return "IE", true
	case 'Ы':
		return "Y", true
	case 'Ь':
		return "", true // soft sign: omitted
	case 'Э':
		return "E", true
	case 'Ю':
		return "IU", true
	case 'Я':
		return "IA", true
	}
	return "", false
}
