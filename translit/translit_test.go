package translit_test

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"dcc/translit"
)

func TestICAOSpecExamples(t *testing.T) {
	tests := []struct{ in, want string }{
		// Annex V §3.2 of Decision 2021/1073.
		{"Musterfrau-Gößinger", "MUSTERFRAU<GOESSINGER"},
		{"Musterfrau-Gößinger Müller", "MUSTERFRAU<GOESSINGER<MUELLER"},
		{"Isolde Erika", "ISOLDE<ERIKA"},
		// eu-dcc-schema examples.
		{"d'Červenková Panklová", "DCERVENKOVA<PANKLOVA"},
		{"Jiřina-Maria Alena", "JIRINA<MARIA<ALENA"},
		// DCC issuance guide.
		{"Smith-Jones", "SMITH<JONES"},
		{"Charles Edward", "CHARLES<EDWARD"},
		// Design notes: where generic transliterators go wrong.
		{"Пётр", "PETR"},
		{"O'Neill", "ONEILL"},
	}
	for _, tt := range tests {
		got, trunc, err := translit.ICAO(tt.in)
		if err != nil || got != tt.want || trunc {
			t.Errorf("ICAO(%q) = %q, %v, %v; want %q, false, nil", tt.in, got, trunc, err, tt.want)
		}
	}
}

// Kinds of expected result in the block tables, besides a transliteration.
const (
	sep         = "<sep>"         // separates name parts
	drop        = "<drop>"        // silently removed
	invalid     = "<invalid>"     // *InvalidCharError
	unsupported = "<unsupported>" // *UnsupportedError
)

// checkChar transliterates c between two letters so that separators and
// dropped characters can be told apart.
func checkChar(t *testing.T, c rune, want string) {
	t.Helper()
	in := "A" + string(c) + "B"
	got, _, err := translit.ICAO(in)
	var ue *translit.UnsupportedError
	var ie *translit.InvalidCharError
	switch want {
	case invalid:
		if !errors.As(err, &ie) || ie.Rune != c || ie.Pos != 1 {
			t.Errorf("%U %q: got %q, %v; want *InvalidCharError at 1", c, c, got, err)
		}
	case unsupported:
		if !errors.As(err, &ue) || ue.Rune != c || ue.Pos != 1 {
			t.Errorf("%U %q: got %q, %v; want *UnsupportedError at 1", c, c, got, err)
		}
	default:
		exp := "A" + want + "B"
		switch want {
		case sep:
			exp = "A<B"
		case drop:
			exp = "AB"
		}
		if err != nil || got != exp {
			t.Errorf("%U %q: ICAO(%q) = %q, %v; want %q", c, c, in, got, err, exp)
		}
	}
}

type group struct {
	chars string
	want  string
}

// checkBlock checks every code point in [lo, hi] and that the table lists
// each of them exactly once, so that no character is forgotten.
func checkBlock(t *testing.T, lo, hi rune, table []group) {
	t.Helper()
	seen := map[rune]bool{}
	for _, g := range table {
		for _, c := range g.chars {
			if seen[c] {
				t.Errorf("table lists %U twice", c)
			}
			seen[c] = true
			checkChar(t, c, g.want)
		}
	}
	for c := lo; c <= hi; c++ {
		if !seen[c] {
			t.Errorf("table misses %U %q", c, c)
		}
	}
}

// Doc 9303 Part 3, Section 6, Table A, over the whole Latin-1 Supplement.
func TestLatin1Supplement(t *testing.T) {
	checkBlock(t, 0xA0, 0xFF, []group{
		{"\u00A0", sep},
		{"\u00AD´·", drop},
		{"¡¢£¤¥¦§¨©«¬®¯°±²³¶¸¹»¼½¾¿×÷", invalid},
		{"ªºµ", unsupported},
		{"ÀÁÂÃàáâã", "A"},
		{"Ää", "AE"},
		{"Åå", "AA"},
		{"Ææ", "AE"},
		{"Çç", "C"},
		{"ÈÉÊËèéêë", "E"},
		{"ÌÍÎÏìíîï", "I"},
		{"Ðð", "D"},
		{"Ññ", "N"},
		{"ÒÓÔÕòóôõ", "O"},
		{"Öö", "OE"},
		{"Øø", "OE"},
		{"ÙÚÛùúû", "U"},
		{"Üü", "UE"},
		{"Ýýÿ", "Y"},
		{"Þþ", "TH"},
		{"ß", "SS"},
	})
}

// Doc 9303 Part 3, Section 6, Table A, over the whole Latin Extended-A block.
func TestLatinExtendedA(t *testing.T) {
	checkBlock(t, 0x100, 0x17F, []group{
		{"ĀāĂăĄą", "A"},
		{"ĆćĈĉĊċČč", "C"},
		{"ĎďĐđ", "D"},
		{"ĒēĔĕĖėĘęĚě", "E"},
		{"ĜĝĞğĠġĢģ", "G"},
		{"ĤĥĦħ", "H"},
		{"ĨĩĪīĬĭĮįİı", "I"},
		{"Ĳĳ", "IJ"},
		{"Ĵĵ", "J"},
		{"Ķķ", "K"},
		{"ĸ", unsupported}, // kra: Greenlandic q, not in Table A
		{"ĹĺĻļĽľĿŀŁł", "L"},
		{"ŃńŅņŇňŉŊŋ", "N"},
		{"ŌōŎŏŐő", "O"},
		{"Œœ", "OE"},
		{"ŔŕŖŗŘř", "R"},
		{"ŚśŜŝŞşŠšſ", "S"},
		{"ŢţŤťŦŧ", "T"},
		{"ŨũŪūŬŭŮůŰűŲų", "U"},
		{"Ŵŵ", "W"},
		{"ŶŷŸ", "Y"},
		{"ŹźŻżŽž", "Z"},
	})
}

func TestLatinBeyondTableA(t *testing.T) {
	for _, g := range []group{
		{"ȘșŞş", "S"}, // Romanian comma below and cedilla forms
		{"ȚțŢţ", "T"},
		{"ƠơǑǒ", "O"},
		{"ƯưǓǔ", "U"},
		{"Ǎǎ", "A"},
		{"Ǐǐ", "I"},
		{"Ǆǅǆ", "DZ"},
		{"Ǉǈǉ", "LJ"},
		{"Ǌǋǌ", "NJ"},
		{"ẞ", "SS"},
		{"ẠạẤấẦầẶặ", "A"}, // Vietnamese, Latin Extended Additional
		{"ẸẹẾếỆệ", "E"},
		{"ỈỉỊị", "I"},
		{"ỌọỐốỢợ", "O"},
		{"ỤụỨứỰự", "U"},
		{"ỲỳỴỵỸỹ", "Y"},
		{"ƏəǕǖǛǜＡ", unsupported},
	} {
		for _, c := range g.chars {
			checkChar(t, c, g.want)
		}
	}
	tests := []struct{ in, want string }{
		{"Nguyễn Thị Phương", "NGUYEN<THI<PHUONG"},
		{"Ștefănescu Țăran", "STEFANESCU<TARAN"},
		{"Ødegård", "OEDEGAARD"},
		{"Þórðardóttir", "THORDARDOTTIR"},
		{"Gal·la Col·lell", "GALLA<COLLELL"},
		{"Yılmaz İnce", "YILMAZ<INCE"},
		{"Ĳsselmeer", "IJSSELMEER"},
		{"Núñez", "NUNEZ"},
		{"Wałęsa", "WALESA"},
	}
	for _, tt := range tests {
		if got, _, err := translit.ICAO(tt.in); err != nil || got != tt.want {
			t.Errorf("ICAO(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// Doc 9303 Part 3, Section 6, Table B, over the basic Cyrillic block.
func TestCyrillicTable(t *testing.T) {
	checkBlock(t, 0x400, 0x45F, []group{
		{"Аа", "A"}, {"Бб", "B"}, {"Вв", "V"}, {"ГгҐґЃѓ", "G"},
		{"ДдЂђ", "D"}, {"ЕеЁёЀѐ", "E"}, {"Єє", "IE"}, {"Жж", "ZH"},
		{"Зз", "Z"}, {"ЅѕЏџ", "DZ"}, {"ИиЙйІіЇїЍѝ", "I"}, {"Јј", "J"},
		{"КкЌќ", "K"}, {"Лл", "L"}, {"Љљ", "LJ"}, {"Мм", "M"},
		{"Нн", "N"}, {"Њњ", "NJ"}, {"Оо", "O"}, {"Пп", "P"},
		{"Рр", "R"}, {"Сс", "S"}, {"Тт", "T"}, {"Ћћ", "C"},
		{"УуЎў", "U"}, {"Фф", "F"}, {"Хх", "KH"}, {"Цц", "TS"},
		{"Чч", "CH"}, {"Шш", "SH"}, {"Щщ", "SHCH"}, {"Ъъ", "IE"},
		{"Ыы", "Y"}, {"Ьь", ""}, {"Ээ", "E"}, {"Юю", "IU"}, {"Яя", "IA"},
	})
	// Kazakh and historical letters are not in Table B as far as we can
	// confirm: refused rather than guessed.
	for _, c := range "ӘәҒғҚқҢңӨөҰұҮүҺһѢѣѲѳѴѵѪѫ" {
		checkChar(t, c, unsupported)
	}
	tests := []struct{ in, want string }{
		{"Пётр Ильич Чайковский", "PETR<ILICH<CHAIKOVSKII"},
		{"Хрущёв", "KHRUSHCHEV"},
		{"Щукина-Юрьева", "SHCHUKINA<IUREVA"},
		{"Объедков", "OBIEEDKOV"},
		{"Цыганкова Яна", "TSYGANKOVA<IANA"},
		{"Зеленський Володимир", "ZELENSKII<VOLODYMYR"[:9] + "<VOLODIMIR"},
		{"Їжаченко Євгенія", "IZHACHENKO<IEVGENIIA"},
		{"Ђоковић Новак", "DOKOVIC<NOVAK"},
		{"Љубица Његош", "LJUBITSA<NJEGOSH"}, // Table B, not Serbian Ц→C, Ш→S,
		{"Ѓорѓи Ќосе Ѕвезда Џамбаз", "GORGI<KOSE<DZVEZDA<DZAMBAZ"},
		{"Ўладзімір", "ULADZIMIR"},
		{"Ь", ""},
		{"Ь-Ь", ""},
		{"А Ь Б", "A<B"},
	}
	for _, tt := range tests {
		got, _, err := translit.ICAO(tt.in)
		if tt.want == "" {
			if !errors.Is(err, translit.ErrEmpty) {
				t.Errorf("ICAO(%q) = %q, %v; want ErrEmpty", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ICAO(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// Greek follows ELOT 743 (see doc.go): Doc 9303 has no Greek table.
func TestGreek(t *testing.T) {
	alphabet := []struct {
		upper, lower, want string
	}{
		{"Α", "α", "A"}, {"Β", "β", "V"}, {"Γ", "γ", "G"}, {"Δ", "δ", "D"},
		{"Ε", "ε", "E"}, {"Ζ", "ζ", "Z"}, {"Η", "η", "I"}, {"Θ", "θ", "TH"},
		{"Ι", "ι", "I"}, {"Κ", "κ", "K"}, {"Λ", "λ", "L"}, {"Μ", "μ", "M"},
		{"Ν", "ν", "N"}, {"Ξ", "ξ", "X"}, {"Ο", "ο", "O"}, {"Π", "π", "P"},
		{"Ρ", "ρ", "R"}, {"Σ", "σ", "S"}, {"Σ", "ς", "S"}, {"Τ", "τ", "T"},
		{"Υ", "υ", "Y"}, {"Φ", "φ", "F"}, {"Χ", "χ", "CH"}, {"Ψ", "ψ", "PS"},
		{"Ω", "ω", "O"},
		{"Ά", "ά", "A"}, {"Έ", "έ", "E"}, {"Ή", "ή", "I"}, {"Ί", "ί", "I"},
		{"Ό", "ό", "O"}, {"Ύ", "ύ", "Y"}, {"Ώ", "ώ", "O"},
		{"Ϊ", "ϊ", "I"}, {"Ϋ", "ϋ", "Y"}, {"ΐ", "ΐ", "I"}, {"ΰ", "ΰ", "Y"},
	}
	for _, a := range alphabet {
		for _, c := range a.upper + a.lower {
			checkChar(t, c, a.want)
		}
	}
	for _, c := range "ϐϑϕϖϲἀᾶ" {
		checkChar(t, c, unsupported)
	}
	for _, c := range "\u0384\u0387\u037E" { // tonos, ano teleia, question mark
		checkChar(t, c, invalid)
	}
	tests := []struct{ in, want string }{
		{"ΓΕΩΡΓΙΟΣ", "GEORGIOS"},
		{"Παπαδόπουλος", "PAPADOPOULOS"},
		{"Ευάγγελος", "EVANGELOS"},      // ΕΥ before a vowel, ΓΓ
		{"Ευστάθιος", "EFSTATHIOS"},     // ΕΥ before a voiceless consonant
		{"Παύλος", "PAVLOS"},            // ΑΥ before a voiced consonant
		{"Ευθυμίου", "EFTHYMIOU"},       // ΕΥ before Θ
		{"Ταυ", "TAF"},                  // ΑΥ at the end of the word
		{"ΤΑΥ ΑΛΦΑ", "TAF<ALFA"},        // ... also before a separator
		{"Ηύα", "IVA"},                  // ΗΥ
		{"Μαΐου", "MAIOU"},              // dialytika: no ΑΙ digraph needed anyway
		{"Ταϋγέτη", "TAYGETI"},          // dialytika: no ΑΥ digraph
		{"Άυλος", "AYLOS"},              // accent on Α: two vowels
		{"Μπακογιάννης", "BAKOGIANNIS"}, // ΜΠ at the start
		{"Λάμπρος", "LAMPROS"},          // ΜΠ inside
		{"Ντόρα", "DORA"},               // ΝΤ at the start
		{"Κωνσταντίνος", "KONSTANTINOS"},
		{"Γκίκας", "GIKAS"},   // ΓΚ at the start
		{"Αγκάθη", "AGKATHI"}, // ΓΚ inside
		{"Σφίγξ", "SFINX"},    // ΓΞ
		{"Μελαγχολία", "MELANCHOLIA"},
		{"Χρήστος Ψαράς", "CHRISTOS<PSARAS"},
		{"Ξανθίππη", "XANTHIPPI"},
		{"Μαρία-Ντίνα", "MARIA<DINA"}, // word start after a hyphen
	}
	for _, tt := range tests {
		if got, _, err := translit.ICAO(tt.in); err != nil || got != tt.want {
			t.Errorf("ICAO(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// Decomposed input (letter + combining marks) must give the same result as
// the precomposed (NFC) form.
func TestCombiningMarks(t *testing.T) {
	tests := []struct{ decomposed, precomposed, want string }{
		{"Go\u0308ßinger", "Gößinger", "GOESSINGER"},
		{"Mu\u0308ller", "Müller", "MUELLER"},
		{"A\u0308RZTIN", "ÄRZTIN", "AERZTIN"},
		{"a\u030Angstro\u0308m", "ångström", "AANGSTROEM"},
		{"C\u030Cervenkova\u0301", "Červenková", "CERVENKOVA"},
		{"Jir\u030Cina", "Jiřina", "JIRINA"},
		{"Nguye\u0302\u0303n", "Nguyễn", "NGUYEN"},
		{"e\u0308", "ë", "E"},
		{"i\u0307nce", "i̇nce", "INCE"},
		{"Пе\u0308тр", "Пётр", "PETR"},
		{"И\u0306ван", "Йван", "IVAN"},
		{"У\u0306ладзімір", "Ўладзімір", "ULADZIMIR"},
		{"Па\u0301υλος", "Πάυλος", "PAYLOS"},    // accent on Α breaks ΑΥ
		{"Παυ\u0301λος", "Παύλος", "PAVLOS"},    // accent on Υ keeps it
		{"Ταυ\u0308γέτη", "Ταϋγέτη", "TAYGETI"}, // dialytika breaks ΑΥ
		{"ο\u0301υ", "όυ", "OY"},
	}
	for _, tt := range tests {
		d, _, derr := translit.ICAO(tt.decomposed)
		p, _, perr := translit.ICAO(tt.precomposed)
		if derr != nil || perr != nil || d != tt.want || p != tt.want {
			t.Errorf("ICAO(%q) = %q, %v; ICAO(%q) = %q, %v; want %q",
				tt.decomposed, d, derr, tt.precomposed, p, perr, tt.want)
		}
	}
	// A diaeresis after another mark is not an umlaut; orphan marks are dropped.
	for in, want := range map[string]string{
		"A\u0301\u0308B":  "AB",
		"\u0308Anna":      "ANNA",
		"Anna \u0301Lena": "ANNA<LENA",
		"O'\u0308Neill":   "ONEILL",
	} {
		if got, _, err := translit.ICAO(in); err != nil || got != want {
			t.Errorf("ICAO(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestSeparators(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  Anna   Lena  ", "ANNA<LENA"},
		{"Anna--Lena", "ANNA<LENA"},
		{"Anna - Lena", "ANNA<LENA"},
		{"Anna,Lena", "ANNA<LENA"},
		{"Smith, Jr", "SMITH<JR"},
		{"Anna\tLena\n", "ANNA<LENA"},
		{"Anna\u00A0Lena", "ANNA<LENA"},
		{"Anna\u2010Lena", "ANNA<LENA"}, // hyphen
		{"Anna\u2011Lena", "ANNA<LENA"}, // non-breaking hyphen
		{"Anna\u2013Lena", "ANNA<LENA"}, // en dash
		{"Anna\u2014Lena", "ANNA<LENA"}, // em dash
		{"Anna\u2212Lena", "ANNA<LENA"}, // minus sign
		{"Anna\u3000Lena", "ANNA<LENA"}, // ideographic space
		{"-Anna-", "ANNA"},
		{"MUSTERFRAU<GOESSINGER", "MUSTERFRAU<GOESSINGER"},
		{"<<A<<B<<", "A<B"},
		{"d’Artagnan", "DARTAGNAN"},
		{"d‘Artagnan", "DARTAGNAN"},
		{"dʼArtagnan", "DARTAGNAN"},
		{"d`Artagnan", "DARTAGNAN"},
		{"D´Angelo", "DANGELO"},
		{"J. R. R.", "J<R<R"},
		{"St.John", "STJOHN"},
		{"Anna\u00ADLena", "ANNALENA"},
		{"Anna\u200BLena", "ANNALENA"},
		{"\uFEFFAnna", "ANNA"},
	}
	for _, tt := range tests {
		if got, _, err := translit.ICAO(tt.in); err != nil || got != tt.want {
			t.Errorf("ICAO(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestTruncation(t *testing.T) {
	tests := []struct {
		in        string
		want      string
		truncated bool
	}{
		{strings.Repeat("A", 80), strings.Repeat("A", 80), false},
		{strings.Repeat("A", 81), strings.Repeat("A", 80), true},
		{strings.Repeat("Ä", 40), strings.Repeat("AE", 40), false},
		{strings.Repeat("Ä", 41), strings.Repeat("AE", 40), true},
		// The cut falls on a separator: no trailing '<'.
		{strings.Repeat("A", 80) + " B", strings.Repeat("A", 80), true},
		{strings.Repeat("A", 79) + " B", strings.Repeat("A", 79), true},
		{strings.Repeat("A", 78) + " BC", strings.Repeat("A", 78) + "<B", true},
		// Trailing separators do not count.
		{strings.Repeat("A", 80) + " - ", strings.Repeat("A", 80), false},
	}
	for _, tt := range tests {
		got, trunc, err := translit.ICAO(tt.in)
		if err != nil || got != tt.want || trunc != tt.truncated {
			t.Errorf("ICAO(%q) = %q, %v, %v; want %q, %v", tt.in, got, trunc, err, tt.want, tt.truncated)
		}
		if len(got) > translit.MaxLen {
			t.Errorf("ICAO(%q) is %d characters long", tt.in, len(got))
		}
	}
}

func TestErrors(t *testing.T) {
	unsupportedTests := []struct {
		in     string
		r      rune
		pos    int
		script string
	}{
		{"张伟", '张', 0, "Han"},
		{"Anna 张", '张', 5, "Han"},
		{"محمد", 'م', 0, "Arabic"},
		{"כהן", 'כ', 0, "Hebrew"},
		{"สมชาย", 'ส', 0, "Thai"},
		{"Ａnna", 'Ａ', 0, "Latin"}, // fullwidth: not NFC-equivalent to A
		{"Ǖ", 'Ǖ', 0, "Latin"},
		{"Әлия", 'Ә', 0, "Cyrillic"},
		{"ἀλέξανδρος", 'ἀ', 0, "Greek"},
		{"Müller\u05B0", '\u05B0', 7, "Hebrew"}, // point sheva
		{"Müller\u20D0", '\u20D0', 7, "Inherited"},
		{"Müller\u0483", '\u0483', 7, "Cyrillic"}, // titlo
	}
	for _, tt := range unsupportedTests {
		out, trunc, err := translit.ICAO(tt.in)
		var ue *translit.UnsupportedError
		if !errors.As(err, &ue) || ue.Rune != tt.r || ue.Pos != tt.pos || ue.Script != tt.script {
			t.Errorf("ICAO(%q) = %q, %v, %v; want UnsupportedError{%U, %d, %s}", tt.in, out, trunc, err, tt.r, tt.pos, tt.script)
			continue
		}
		if out != "" || trunc {
			t.Errorf("ICAO(%q) returned %q, %v with an error", tt.in, out, trunc)
		}
	}
	const wantMsg = "translit: U+5F20 '张' (Han) at byte 0 has no ICAO 9303 transliteration here: " +
		"enter the name as it appears in the holder's travel document MRZ"
	if _, _, err := translit.ICAO("张伟"); err == nil || err.Error() != wantMsg {
		t.Errorf("error message = %q, want %q", err, wantMsg)
	}

	invalidTests := []struct {
		in   string
		r    rune
		pos  int
		want string // substring of the message
	}{
		{"Anna2", '2', 4, "digits"},
		{"Louis XIV 14", '1', 10, "digits"},
		{"٣", '٣', 0, "digits"},
		{"Anna@Lena", '@', 4, "only letters"},
		{"Anna/Lena", '/', 4, "only letters"},
		{"Anna(Lena)", '(', 4, "only letters"},
		{"Anna\x00", 0, 4, "only letters"},
		{"Anna\u200ELena", '\u200E', 4, "only letters"}, // LRM
		{"A\xffB", utf8.RuneError, 1, "invalid UTF-8"},
		{"Müller\xc3", utf8.RuneError, 7, "invalid UTF-8"},
		{"\uFFFD", utf8.RuneError, 0, "invalid UTF-8"},   // a decoding error upstream
		{"\U000E0000x", '\U000E0000', 0, "only letters"}, // unassigned
		{"Ω\u0375", '\u0375', 2, "only letters"},         // Greek lower numeral sign
		{"Ж\u0482", '\u0482', 2, "only letters"},         // Cyrillic thousands sign
	}
	for _, tt := range invalidTests {
		_, _, err := translit.ICAO(tt.in)
		var ie *translit.InvalidCharError
		if !errors.As(err, &ie) || ie.Rune != tt.r || ie.Pos != tt.pos || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ICAO(%q) error = %v; want InvalidCharError{%U, %d} mentioning %q", tt.in, err, tt.r, tt.pos, tt.want)
		}
	}

	for _, in := range []string{"", " ", "---", "'", ".", "< <", "Ь", "\u0301", "\u00AD"} {
		if _, _, err := translit.ICAO(in); !errors.Is(err, translit.ErrEmpty) {
			t.Errorf("ICAO(%q) error = %v; want ErrEmpty", in, err)
		}
	}
}

func ExampleICAO() {
	for _, name := range []string{"Musterfrau-Gößinger Müller", "d'Červenková Panklová", "Пётр", "Παπαδόπουλος"} {
		out, _, err := translit.ICAO(name)
		fmt.Println(out, err)
	}
	_, _, err := translit.ICAO("张伟")
	fmt.Println(err)
	// Output:
	// MUSTERFRAU<GOESSINGER<MUELLER <nil>
	// DCERVENKOVA<PANKLOVA <nil>
	// PETR <nil>
	// PAPADOPOULOS <nil>
	// translit: U+5F20 '张' (Han) at byte 0 has no ICAO 9303 transliteration here: enter the name as it appears in the holder's travel document MRZ
}

var mrz = regexp.MustCompile(`^[A-Z<]{1,80}$`)

func FuzzICAO(f *testing.F) {
	for _, s := range []string{
		"Musterfrau-Gößinger Müller", "d'Červenková Panklová", "Jiřina-Maria Alena",
		"Пётр Ильич", "Παπαδόπουλος", "ΑΥ ΕΥ ΜΠ ΝΤ ΓΚ", "Go\u0308ßinger", "张伟",
		"", "<<", "A\xff", strings.Repeat("Ä ", 50), "ο\u0301υ", "Ь-Ь",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, trunc, err := translit.ICAO(in)
		if err != nil {
			if out != "" || trunc {
				t.Fatalf("ICAO(%q) = %q, %v with error %v", in, out, trunc, err)
			}
			return
		}
		if !mrz.MatchString(out) || out[0] == '<' || out[len(out)-1] == '<' || strings.Contains(out, "<<") {
			t.Fatalf("ICAO(%q) = %q: not a valid machine-readable name", in, out)
		}
		// The machine-readable form is a fixed point.
		again, trunc2, err := translit.ICAO(out)
		if err != nil || again != out || trunc2 {
			t.Fatalf("ICAO(%q) = %q, %v, %v; want it unchanged", out, again, trunc2, err)
		}
	})
}

func BenchmarkICAO(b *testing.B) {
	for _, name := range []string{
		"Musterfrau-Gößinger Müller",
		"d'Červenková Panklová",
		"Чайковский Пётр Ильич",
		"Παπαδόπουλος Ευάγγελος",
	} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := translit.ICAO(name); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
