package doses

import (
	"errors"

	"dcc/i18n"
)

// msg says in both languages what is wrong with a dose history, by the
// sentinel errors of this package.
var msg = struct {
	NoDoses, Date, EmptyProduct, CourseLength, DoseNumber i18n.Text
	UnknownField, DuplicateKey, Type, Invalid             i18n.Text
}{
	NoDoses:      i18n.Text{ES: "no hay dosis: un historial necesita al menos una", EN: "no doses (a history needs at least one dose)"},
	Date:         i18n.Text{ES: "no es una fecha (AAAA-MM-DD)", EN: "not a date (YYYY-MM-DD)"},
	EmptyProduct: i18n.Text{ES: "falta el producto de la vacuna", EN: "empty product"},
	CourseLength: i18n.Text{ES: "la pauta debe tener al menos una dosis", EN: "course length must be at least 1"},
	DoseNumber:   i18n.Text{ES: "el número de dosis y el total de la serie deben ser al menos 1", EN: "dose number and total series must be at least 1"},
	UnknownField: i18n.Text{ES: "campo desconocido", EN: "unknown field"},
	DuplicateKey: i18n.Text{ES: "campo repetido", EN: "duplicate key"},
	Type:         i18n.Text{ES: "tipo JSON incorrecto", EN: "wrong JSON type"},
	Invalid:      i18n.Text{ES: "el historial de dosis no es válido", EN: "invalid dose history"},
}

// Explain is err in both languages, for people: the Spanish says what its
// sentinel means, the English is the error's own message.
func Explain(err error) i18n.Text {
	var es i18n.Text
	switch {
	case errors.Is(err, ErrNoDoses):
		es = msg.NoDoses
	case errors.Is(err, ErrDate):
		es = msg.Date
	case errors.Is(err, ErrEmptyProduct):
		es = msg.EmptyProduct
	case errors.Is(err, ErrCourseLength):
		es = msg.CourseLength
	case errors.Is(err, ErrDoseNumber):
		es = msg.DoseNumber
	case errors.Is(err, ErrUnknownField):
		es = msg.UnknownField
	case errors.Is(err, ErrDuplicateKey):
		es = msg.DuplicateKey
	case errors.Is(err, ErrType):
		es = msg.Type
	default:
		es = msg.Invalid
	}
	return i18n.Text{ES: es.ES, EN: err.Error()}
}
