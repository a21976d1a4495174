package translit

import "unicode"

// latin transliterates a non-ASCII Latin letter following ICAO Doc 9303
// Part 3, Section 6, Table A. It covers the whole Latin-1 Supplement and
// Latin Extended-A blocks, plus the letters of Latin Extended-B and
// Latin Extended Additional that occur in EU residents' names (Romanian,
// Vietnamese, pinyin, Serbo-Croatian ligatures); everything else is
// refused rather than guessed.
func latin(r rune) (string, bool) {
	// Letters without a simple upper-case mapping are listed in lower case.
	switch unicode.ToUpper(r) {
	// Table A multi-letter forms. For Ä, Ö, Ü ICAO allows A, O, U too;
	// AE, OE, UE is the recommended MRZ form and the one in Annex V.
	case 'Ä', 'Æ':
		return "AE", true
	case 'Ö', 'Ø', 'Œ':
		return "OE", true
	case 'Ü':
		return "UE", true
	case 'Å':
		return "AA", true
	case 'ß', 'ẞ':
		return "SS", true
	case 'Þ':
		return "TH", true
	case 'Ĳ':
		return "IJ", true
	case 'Ǆ':
		return "DZ", true
	case 'Ǉ':
		return "LJ", true
	case 'Ǌ':
		return "NJ", true

	// Everything else: the base letter. Ñ is N (Table A's national
	// option NXX is not used); Ð (eth) is D as in Table A.
	case 'À', 'Á', 'Â', 'Ã', 'Ā', 'Ă', 'Ą', 'Ǎ':
		return "A", true
	case 'Ç', 'Ć', 'Ĉ', 'Ċ', 'Č':
		return "C", true
	case 'Ð', 'Ď', 'Đ':
		return "D", true
	case 'È', 'É', 'Ê', 'Ë', 'Ē', 'Ĕ', 'Ė', 'Ę', 'Ě':
		return "E", true
	case 'Ĝ', 'Ğ', 'Ġ', 'Ģ':
		return "G", true
	case 'Ĥ', 'Ħ':
		return "H", true
	case 'Ì', 'Í', 'Î', 'Ï', 'Ĩ', 'Ī', 'Ĭ', 'Į', 'İ', 'I', 'Ǐ':
		return "I", true // 'I' is ToUpper('ı'), dotless i
	case 'Ĵ':
		return "J", true
	case 'Ķ':
		return "K", true
	case 'Ĺ', 'Ļ', 'Ľ', 'Ŀ', 'Ł':
		return "L", true
	case 'Ñ', 'Ń', 'Ņ', 'Ň', 'ŉ', 'Ŋ':
		return "N", true
	case 'Ò', 'Ó', 'Ô', 'Õ', 'Ō', 'Ŏ', 'Ő', 'Ơ', 'Ǒ':
		return "O", true
	case 'Ŕ', 'Ŗ', 'Ř':
		return "R", true
	case 'Ś', 'Ŝ', 'Ş', 'Š', 'Ș', 'S':
		return "S", true // 'S' is ToUpper('ſ'), long s
	case 'Ţ', 'Ť', 'Ŧ', 'Ț':
		return "T", true
	case 'Ù', 'Ú', 'Û', 'Ũ', 'Ū', 'Ŭ', 'Ů', 'Ű', 'Ų', 'Ư', 'Ǔ':
		return "U", true
	case 'Ŵ':
		return "W", true
	case 'Ý', 'Ÿ', 'Ŷ':
		return "Y", true
	case 'Ź', 'Ż', 'Ž':
		return "Z", true
	}
	// Vietnamese letters with two diacritics, in Unicode's fixed order.
	switch u := unicode.ToUpper(r); {
	case 0x1EA0 <= u && u <= 0x1EB7:
		return "A", true
	case 0x1EB8 <= u && u <= 0x1EC7:
		return "E", true
	case 0x1EC8 <= u && u <= 0x1ECB:
		return "I", true
	case 0x1ECC <= u && u <= 0x1EE3:
		return "O", true
	case 0x1EE4 <= u && u <= 0x1EF1:
		return "U", true
	case 0x1EF2 <= u && u <= 0x1EF9:
		return "Y", true
	}
	// Not mapped, deliberately: ĸ (kra, Greenlandic q), Ə (Azerbaijani),
	// ª º (ordinal indicators), Ǖ–Ǜ (pinyin ü with tone) and other letters
	// for which Table A gives no form.
	return "", false
}
