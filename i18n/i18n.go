package i18n

import (
	"fmt"
	"reflect"
	"strings"
)

// Text is one message for a person, in Spanish and English.
type Text struct{ ES, EN string }

// String is the bilingual form the interface prints: "ES / EN", or one of
// them when the other is empty or both are the same (a product name).
func (t Text) String() string {
	switch {
	case t.ES == "" || t.ES == t.EN:
		return t.EN
	case t.EN == "":
		return t.ES
	}
	return t.ES + " / " + t.EN
}

// In is the message in lang ("es" or "en"; anything else is English), or
// the other language where that one is missing.
func (t Text) In(lang string) string {
	if strings.HasPrefix(strings.ToLower(lang), "es") && t.ES != "" || t.EN == "" {
		return t.ES
	}
	return t.EN
}

// IsZero reports an empty message.
func (t Text) IsZero() bool { return t.ES == "" && t.EN == "" }

// Format is a message with arguments: fmt formats whose verbs take the same
// arguments in the same order.
type Format struct{ ES, EN string }

// With fills in the arguments. A Text (or a Format's result) among them is
// put in each language's own words; anything else prints as fmt prints it.
// A Text argument without Spanish leaves the result without Spanish, so
// that the gap shows where the message is shown.
func (f Format) With(args ...any) Text {
	es, ok := pick(args, true)
	en, _ := pick(args, false)
	t := Text{EN: fmt.Sprintf(f.EN, en...)}
	if ok && f.ES != "" {
		t.ES = fmt.Sprintf(f.ES, es...)
	}
	return t
}

func pick(args []any, es bool) (out []any, complete bool) {
	out = make([]any, len(args))
	complete = true
	for i, a := range args {
		if t, ok := a.(Text); ok {
			if es {
				a, complete = t.ES, complete && t.ES != ""
			} else {
				a = t.In("en")
			}
		}
		out[i] = a
	}
	return out, complete
}

// Lint checks a message table: a struct (or pointer to one) whose fields are
// Text, Format, or nested tables, maps or slices of them. It reports every
// message with a missing language, Spanish the same as English where it
// should be translated, or a Format whose two languages take different
// arguments.
func Lint(table any) []error {
	var errs []error
	lint(reflect.ValueOf(table), "", &errs)
	return errs
}

var (
	textType   = reflect.TypeFor[Text]()
	formatType = reflect.TypeFor[Format]()
)

func lint(v reflect.Value, path string, errs *[]error) {
	switch {
	case v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface:
		if !v.IsNil() {
			lint(v.Elem(), path, errs)
		}
	case v.Type() == textType:
		t := v.Interface().(Text)
		check(path, t.ES, t.EN, errs)
	case v.Type() == formatType:
		f := v.Interface().(Format)
		check(path, f.ES, f.EN, errs)
		if a, b := verbs(f.ES), verbs(f.EN); a != b {
			*errs = append(*errs, fmt.Errorf("%s: the Spanish takes arguments %q, the English %q", path, a, b))
		}
	case v.Kind() == reflect.Struct:
		for i := range v.NumField() {
			lint(v.Field(i), join(path, v.Type().Field(i).Name), errs)
		}
	case v.Kind() == reflect.Map:
		for _, k := range v.MapKeys() {
			lint(v.MapIndex(k), join(path, fmt.Sprint(k.Interface())), errs)
		}
	case v.Kind() == reflect.Slice || v.Kind() == reflect.Array:
		for i := range v.Len() {
			lint(v.Index(i), fmt.Sprintf("%s[%d]", path, i), errs)
		}
	}
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

func check(path, es, en string, errs *[]error) {
	switch {
	case strings.TrimSpace(es) == "":
		*errs = append(*errs, fmt.Errorf("%s: no Spanish text (English: %q)", path, en))
	case strings.TrimSpace(en) == "":
		*errs = append(*errs, fmt.Errorf("%s: no English text (Spanish: %q)", path, es))
	case es == en && !untranslated(es):
		*errs = append(*errs, fmt.Errorf("%s: the Spanish text is the English one, %q", path, en))
	}
}

// untranslated are texts the same in both languages: only arguments and
// signs, or names.
func untranslated(s string) bool {
	letters := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+1 < len(s) {
			i++
			continue
		}
		if c := s[i]; c >= 'a' && c <= 'z' {
			letters++
		}
	}
	return letters < 4
}

// verbs is the sequence of a format's verbs, "%q %s %d".
func verbs(f string) string {
	var out []string
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		j := i + 1
		for j < len(f) && strings.IndexByte("+-# 0123456789.[]*", f[j]) >= 0 {
			j++
		}
		if j < len(f) {
			if f[j] != '%' {
				out = append(out, f[i:j+1])
			}
			i = j
		}
	}
	return strings.Join(out, " ")
}
