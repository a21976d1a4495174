package translit

import (
	"unicode"
	"unicode/utf8"
)

// Greek is not covered by ICAO Doc 9303 Part 3. Policy: ELOT 743, the
// convention Greek passports use in their MRZ, applied letter by letter
// (monotonic orthography) with the digraphs that can be resolved from the
// spelling alone:
//
//	ΟΥ → OU
//	ΑΥ, ΕΥ, ΗΥ → AV, EV, IV before a vowel or voiced consonant (Β Γ Δ Ζ Λ Μ Ν Ρ),
//	             AF, EF, IF before a voiceless consonant or at the end of the word
//	ΓΓ → NG, ΓΞ → NX, ΓΧ → NCH
//	ΓΚ → G, ΜΠ → B, ΝΤ → D at the start of a word; GK, MP, NT inside it
//
// An accent on the first vowel (άυ, όυ) or a dialytika on Υ (αϋ) marks two
// separate vowels, so no digraph is formed. Polytonic letters (Greek
// Extended block) and symbol variants (ϐ, ϑ, ϕ, …) are refused.

// greekLetter is a monotonic Greek letter reduced to its capital base.
type greekLetter struct {
	base      rune // Α–Ω
	accent    bool // tonos
	dialytika bool
}

func toGreek(l seq) (greekLetter, bool) {
	g := greekLetter{accent: l.acute, dialytika: l.dialytika}
	switch l.r {
	case 'Ά', 'ά':
		g.base, g.accent = 'Α', true
	case 'Έ', 'έ':
		g.base, g.accent = 'Ε', true
	case 'Ή', 'ή':
		g.base, g.accent = 'Η', true
	case 'Ί', 'ί':
		g.base, g.accent = 'Ι', true
	case 'Ό', 'ό':
		g.base, g.accent = 'Ο', true
	case 'Ύ', 'ύ':
		g.base, g.accent = 'Υ', true
	case 'Ώ', 'ώ':
		g.base, g.accent = 'Ω', true
	case 'ΐ':
		g.base, g.accent, g.dialytika = 'Ι', true, true
	case 'ΰ':
		g.base, g.accent, g.dialytika = 'Υ', true, true
	case 'Ϊ', 'ϊ':
		g.base, g.dialytika = 'Ι', true
	case 'Ϋ', 'ϋ':
		g.base, g.dialytika = 'Υ', true
	case 'ς':
		g.base = 'Σ'
	default:
		// Only the plain letters: symbol variants (ϐ, ϑ, …) and the micro
		// sign µ also have Α–Ω as upper case. U+03A2 is unassigned.
		if !('Α' <= l.r && l.r <= 'ω') || l.r == 0x3A2 || ('Ω' < l.r && l.r < 'α') {
			return greekLetter{}, false
		}
		g.base = unicode.ToUpper(l.r)
	}
	return g, true
}

// greekAt returns the Greek letter starting at byte i, if there is one.
func greekAt(s string, i int) (greekLetter, seq, bool) {
	if i >= len(s) {
		return greekLetter{}, seq{}, false
	}
	l := scan(s, i)
	if l.invalid {
		return greekLetter{}, l, false
	}
	g, ok := toGreek(l)
	return g, l, ok
}

// greekWordStart reports whether no Greek letter precedes byte i.
func greekWordStart(s string, i int) bool {
	for i > 0 {
		r, n := utf8.DecodeLastRuneInString(s[:i])
		if !isCombining(r) {
			_, ok := toGreek(seq{r: r})
			return !ok
		}
		i -= n
	}
	return true
}

// greek transliterates the Greek letter l, possibly together with the
// following one, and returns where to continue.
func greek(s string, l seq) (out string, end int, ok bool) {
	g, ok := toGreek(l)
	if !ok {
		return "", 0, false
	}
	next, nl, hasNext := greekAt(s, l.end)
	switch g.base {
	case 'Α', 'Ε', 'Η', 'Ο':
		if !hasNext || next.base != 'Υ' || next.dialytika || g.accent {
			break
		}
		if g.base == 'Ο' {
			return "OU", nl.end, true
		}
		after, _, hasAfter := greekAt(s, nl.end)
		voiced := hasAfter && greekVoiced(after.base)
		return greekUpsilonDigraph(g.base, voiced), nl.end, true
	case 'Γ':
		if !hasNext {
			break
		}
		switch next.base {
		case 'Γ':
			return "NG", nl.end, true
		case 'Ξ':
			return "NX", nl.end, true
		case 'Χ':
			return "NCH", nl.end, true
		case 'Κ':
			if greekWordStart(s, l.pos) {
				return "G", nl.end, true
			}
		}
	case 'Μ':
		if hasNext && next.base == 'Π' && greekWordStart(s, l.pos) {
			return "B", nl.end, true
		}
	case 'Ν':
		if hasNext && next.base == 'Τ' && greekWordStart(s, l.pos) {
			return "D", nl.end, true
		}
	}
	return greekSingle(g.base), l.end, true
}

// greekVoiced reports vowels and voiced consonants, before which ΑΥ, ΕΥ, ΗΥ
// are pronounced (and written) with V rather than F.
func greekVoiced(r rune) bool {
	switch r {
	case 'Α', 'Ε', 'Η', 'Ι', 'Ο', 'Υ', 'Ω', 'Β', 'Γ', 'Δ', 'Ζ', 'Λ', 'Μ', 'Ν', 'Ρ':
		return true
	}
	return false
}

// greekUpsilonDigraph transliterates ΑΥ, ΕΥ, ΗΥ (v is Α, Ε or Η).
func greekUpsilonDigraph(v rune, voiced bool) string {
	switch {
	case v == 'Α' && voiced:
		return "AV"
	case v == 'Α':
		return "AF"
	case v == 'Ε' && voiced:
		return "EV"
	case v == 'Ε':
		return "EF"
	case voiced:
		return "IV"
	}
	return "IF"
}

func greekSingle(r rune) string {
	switch r {
	case 'Α':
		return "A"
	case 'Β':
		return "V"
	case 'Γ':
		return "G"
	case 'Δ':
		return "D"
	case 'Ε':
		return "E"
	case 'Ζ':
		return "Z"
	case 'Η':
		return "I"
	case 'Θ':
		return "TH"
	case 'Ι':
		return "I"
	case 'Κ':
		return "K"
	case 'Λ':
		return "L"
	case 'Μ':
		return "M"
	case 'Ν':
		return "N"
	case 'Ξ':
		return "X"
	case 'Ο':
		return "O"
	case 'Π':
		return "P"
	case 'Ρ':
		return "R"
	case 'Σ':
		return "S"
	case 'Τ':
		return "T"
	case 'Υ':
		return "Y"
	case 'Φ':
		return "F"
	case 'Χ':
		return "CH"
	case 'Ψ':
		return "PS"
	case 'Ω':
		return "O"
	}
	return "" // unreachable: callers pass Α–Ω
}
