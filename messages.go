package dcc

import "dcc/i18n"

// msg is the validator's message table: every reason a Problem gives, in
// Spanish and English (the English is Problem.Reason). The Spanish follows
// the terms of Annex V in the Spanish text of Decision (EU) 2021/1073.
var msg = struct {
	NotObject, NoGroup, FntOrGnt, EmptyName, IcaoFiller, EmptyIssuer         i18n.Text
	UnknownField, EmptyOptional, MustString, MustInteger, MustObject         i18n.Text
	MustArray, MustObjectEntry                                               i18n.Text
	MissingFields, ManyGroups, OneEntry, IssueVersion, TooLong, NeedsT       i18n.Format
	NeedsPlain, IcaoChar, NotDate, DobRange, DobFuture, EventFuture          i18n.Format
	BeforeBirth, Disease, Country, TooLongIssuer, BadUVCI, NotInSet          i18n.Format
	Inactive, MAMismatch, VPMismatch, DoseOverTotal, DoseOverTotalOld        i18n.Format
	DosePositive, DoseRange, DoseInteger, DoseImplausible, FullDate          i18n.Format
	MANotForNAAT, TCForNAAT, NMNotForRAT, MAForRAT, OptionalBefore13         i18n.Format
	TCTooLong, DeviceUnknownIssuer, DeviceRemovedIssuer, DeviceUnknown       i18n.Format
	DeviceGrace, DeviceRemoved, NotSampleTime, FractionalIssuer, Fractional  i18n.Format
	SampleFuture, DFEarly, DULate, DUBeforeDF, Truncated, SchemaUnsupported  i18n.Format
	IntegerGot, IntegerRange, Schema, UVCILower, UVCILongCountry, UVCIOther  i18n.Format
	NotVersion, SchemaRequired, SchemaType, SchemaPattern, SchemaMinLength   i18n.Format
	SchemaMaxLength, SchemaAdditional, SchemaEnum, SchemaConst, SchemaFormat i18n.Format
	SchemaMinimum, SchemaMaximum, SchemaMinItems, SchemaMaxItems             i18n.Format
	AVaccination, ATest, AFirstPositive, GraceWithin, GraceAfter             i18n.Text
	UVCI                                                                     map[string]i18n.Text
}{
	NotObject:       i18n.Text{ES: "el contenido debe ser un objeto JSON", EN: "the payload must be a JSON object"},
	NoGroup:         i18n.Text{ES: "se requiere exactamente uno de v (vacunación), t (prueba) o r (recuperación) (anexo V, §3.3)", EN: "exactly one of v (vaccination), t (test) or r (recovery) is required (Annex V §3.3)"},
	FntOrGnt:        i18n.Text{ES: "se requiere al menos uno de fnt y gnt, los apellidos o el nombre normalizados (anexo V, §3.2)", EN: "at least one of fnt and gnt is required (Annex V §3.2)"},
	EmptyName:       i18n.Text{ES: "no puede estar vacío: omita el campo si el titular no tiene ese nombre (anexo V, §3.2)", EN: "must not be empty: omit the field when the holder has no such name (Annex V §3.2)"},
	IcaoFiller:      i18n.Text{ES: "un nombre normalizado no empieza ni termina por «<» ni contiene «<<» (ICAO 9303, parte 3)", EN: "a transliterated name neither begins nor ends with '<' and has no '<<' (ICAO 9303 Part 3)"},
	EmptyIssuer:     i18n.Text{ES: "no puede estar vacío: el nombre de la organización emisora (anexo V)", EN: "must not be empty: the name of the issuing organisation (Annex V)"},
	UnknownField:    i18n.Text{ES: "campo desconocido: el esquema 1.3 no lo define (anexo V)", EN: "unknown field: not defined by schema 1.3 (Annex V)"},
	EmptyOptional:   i18n.Text{ES: "no puede estar vacío si figura: omítalo (anexo V, §4.2)", EN: "must not be empty when present: omit it instead (Annex V §4.2)"},
	MustString:      i18n.Text{ES: "debe ser una cadena de texto (anexo V)", EN: "must be a string (Annex V)"},
	MustInteger:     i18n.Text{ES: "debe ser un número entero (anexo V, §4.1)", EN: "must be an integer (Annex V §4.1)"},
	MustObject:      i18n.Text{ES: "debe ser un objeto (anexo V, §3.2)", EN: "must be an object (Annex V §3.2)"},
	MustArray:       i18n.Text{ES: "debe ser una lista (anexo V, §3.3)", EN: "must be an array (Annex V §3.3)"},
	MustObjectEntry: i18n.Text{ES: "debe ser un objeto (anexo V, §3.3)", EN: "must be an object (Annex V §3.3)"},

	MissingFields:    i18n.Format{ES: "falta el campo obligatorio %s (anexo V, §3)", EN: "missing required field %s (Annex V §3)"},
	ManyGroups:       i18n.Format{ES: "solo puede figurar uno de v, t y r; figuran %s (anexo V, §3.3)", EN: "exactly one of v, t and r may be present, found %s (Annex V §3.3)"},
	OneEntry:         i18n.Format{ES: "debe contener exactamente una entrada; tiene %d (anexo V, §3.3)", EN: "must hold exactly one entry, has %d (Annex V §3.3)"},
	IssueVersion:     i18n.Format{ES: "los certificados se emiten con el esquema 1.3.x, no con el %s", EN: "certificates are issued with schema 1.3.x, not %s"},
	TooLong:          i18n.Format{ES: "tiene %d caracteres; se admiten %d como máximo (anexo V, §3.2)", EN: "is %d characters long, at most %d are allowed (Annex V §3.2)"},
	NeedsT:           i18n.Format{ES: "es obligatorio cuando figura nam.%s: la transliteración ICAO 9303 del mismo nombre (anexo V, §3.2)", EN: "is required when nam.%s is present: the ICAO 9303 transliteration of the same name (Annex V §3.2)"},
	NeedsPlain:       i18n.Format{ES: "es obligatorio cuando figura nam.%s: el nombre tal como figura en el documento de viaje (anexo V, §3.2)", EN: "is required when nam.%s is present: the name as written in the travel document (Annex V §3.2)"},
	IcaoChar:         i18n.Format{ES: "el carácter %q en la posición %d no está permitido: solo A–Z y «<» (ICAO 9303, anexo V, §3.2)", EN: "character %q at position %d is not allowed: only A–Z and '<' (ICAO 9303, Annex V §3.2)"},
	NotDate:          i18n.Format{ES: "%q no es una fecha: use AAAA-MM-DD, AAAA-MM, AAAA o \"\" (anexo V, §3.2)", EN: "%q is not a date: use YYYY-MM-DD, YYYY-MM, YYYY or \"\" (Annex V §3.2)"},
	DobRange:         i18n.Format{ES: "%s está fuera del intervalo 1900-01-01…2099-12-31 (anexo V, §3.2)", EN: "%s is outside 1900-01-01…2099-12-31 (Annex V §3.2)"},
	DobFuture:        i18n.Format{ES: "%s es una fecha futura: la fecha de nacimiento no puede ser posterior a hoy (como mucho %s en cualquier huso horario)", EN: "%s is in the future: a date of birth cannot be later than today (at most %s in any time zone)"},
	EventFuture:      i18n.Format{ES: "%s es una fecha futura: no se puede certificar %s antes de que tenga lugar (hoy es como mucho %s en cualquier huso horario)", EN: "%s is in the future: %s cannot be certified before it took place (today is at most %s in any time zone)"},
	BeforeBirth:      i18n.Format{ES: "%s es anterior a la fecha de nacimiento (%s): %s no puede preceder al nacimiento", EN: "%s is before the date of birth (%s): %s cannot precede birth"},
	Disease:          i18n.Format{ES: "%q no está en el conjunto de valores disease-agent-targeted: el único valor es %s, COVID-19 (anexo II, §1)", EN: "%q is not in value set disease-agent-targeted: the only value is %s, COVID-19 (Annex II §1)"},
	Country:          i18n.Format{ES: "%q no está en el conjunto de valores country-2-codes ni es un código conocido de organización internacional (anexo II, §6)", EN: "%q is not in value set country-2-codes nor a known international-organisation code (Annex II §6)"},
	TooLongIssuer:    i18n.Format{ES: "tiene %d caracteres; se admiten %d como máximo (anexo V)", EN: "is %d characters long, at most %d are allowed (Annex V)"},
	BadUVCI:          i18n.Format{ES: "no es un identificador único de certificado válido: %s (anexo III, §3)", EN: "not a valid UVCI: %s (Annex III §3)"},
	NotInSet:         i18n.Format{ES: "%q no está en el conjunto de valores %s (anexo II)", EN: "%q is not in value set %s (Annex II)"},
	Inactive:         i18n.Format{ES: "%q (%s) ya no está activo en el conjunto de valores %s: los certificados nuevos deben usar códigos vigentes", EN: "%q (%s) is no longer active in value set %s: new certificates must use current codes"},
	MAMismatch:       i18n.Format{ES: "%q no corresponde al producto %s (%s): el titular de su autorización de comercialización es %s (vaccine-encoding-instructions)", EN: "%q does not match product %s (%s): its marketing authorisation holder is %s (vaccine-encoding-instructions)"},
	VPMismatch:       i18n.Format{ES: "%q no corresponde al producto %s (%s): use uno de %s o el código ATC %s (vaccine-encoding-instructions, anexo II, §2)", EN: "%q does not match product %s (%s): use one of %s or the ATC code %s (vaccine-encoding-instructions, Annex II §2)"},
	DoseOverTotal:    i18n.Format{ES: "el número de dosis %d es mayor que el total %d: tras la pauta primaria, cada dosis adicional aumenta ambos, (N+X)/(C+X) (anexo II, §5.2)", EN: "dose number %d is greater than the total %d: after the primary course each additional dose raises both, (N+X)/(C+X) (Annex II §5.2)"},
	DoseOverTotalOld: i18n.Format{ES: "el número de dosis %d es mayor que el total %d: se acepta, pues los certificados emitidos hasta el 2021-12-31 pueden seguir codificaciones anteriores (anexo II, §5.2)", EN: "dose number %d is greater than the total %d: accepted, as certificates issued up to 2021-12-31 may follow older encodings (Annex II §5.2)"},
	DosePositive:     i18n.Format{ES: "debe ser un número entero positivo; es %v (anexo V, §4.1)", EN: "must be a positive integer, got %v (Annex V §4.1)"},
	DoseRange:        i18n.Format{ES: "%v está fuera del intervalo de un número de dosis: como máximo %d (anexo V, §4.1)", EN: "%v is out of range for a dose number: at most %d (Annex V §4.1)"},
	DoseInteger:      i18n.Format{ES: "debe escribirse como número entero, p. ej. %d, no %v (anexo V, §4.1)", EN: "must be written as an integer, e.g. %d, not %v (Annex V §4.1)"},
	DoseImplausible:  i18n.Format{ES: "%d dosis no es verosímil: dn y sd valen como máximo %d (el intervalo de los esquemas hasta el 1.2.1)", EN: "%d doses is implausible: dn and sd are at most %d (the range of schemas up to 1.2.1)"},
	FullDate:         i18n.Format{ES: "%q no es una fecha completa AAAA-MM-DD, el único formato admitido (anexo V)", EN: "%q is not a full date YYYY-MM-DD, the only format allowed (Annex V)"},
	MANotForNAAT:     i18n.Format{ES: "no se usa en una prueba NAAT (tt %s): el identificador del dispositivo es solo para las pruebas rápidas de antígenos (anexo V, §4.2)", EN: "must not be used for a NAAT test (tt %s): the device identifier is for rapid antigen tests only (Annex V §4.2)"},
	TCForNAAT:        i18n.Format{ES: "es obligatorio en una prueba NAAT (tt %s): el centro o instalación de realización de la prueba (anexo V, §4.2)", EN: "is required for a NAAT test (tt %s): the testing centre (Annex V §4.2)"},
	NMNotForRAT:      i18n.Format{ES: "no se usa en una prueba rápida de antígenos (tt %s): la prueba se identifica por su dispositivo, ma (anexo V, §4.2)", EN: "must not be used for a rapid antigen test (tt %s): the test is named by its device identifier ma (Annex V §4.2)"},
	MAForRAT:         i18n.Format{ES: "es obligatorio en una prueba rápida de antígenos (tt %s): el identificador del dispositivo en la base de datos del JRC (anexo V, §4.2)", EN: "is required for a rapid antigen test (tt %s): the device identifier of the JRC database (Annex V §4.2)"},
	OptionalBefore13: i18n.Format{ES: "%s; opcional antes del esquema 1.3.0", EN: "%s; optional before schema 1.3.0"},
	TCTooLong:        i18n.Format{ES: "tiene %d caracteres; se admiten %d como máximo (anexo V, §4.2; la emisión lo trunca)", EN: "is %d characters long, at most %d are allowed (Annex V §4.2; issuance truncates it)"},

	DeviceUnknownIssuer: i18n.Format{ES: "%q no está en el conjunto de valores %s: los emisores solo pueden usar dispositivos de la lista vigente (anexo V, §4.2)", EN: "%q is not in value set %s: issuers may use only devices of the current list (Annex V §4.2)"},
	DeviceRemovedIssuer: i18n.Format{ES: "%q se retiró del conjunto de valores %s el %s: los emisores solo pueden usar dispositivos de la lista vigente (anexo V, §4.2)", EN: "%q was removed from value set %s on %s: issuers may use only devices of the current list (Annex V §4.2)"},
	DeviceUnknown:       i18n.Format{ES: "%q no está en el conjunto de valores %s (anexo V, §4.2)", EN: "%q is not in value set %s (Annex V §4.2)"},
	DeviceGrace:         i18n.Format{ES: "%q se retiró del conjunto de valores %s el %s, %s: todavía se acepta (anexo V, §4.2)", EN: "%q was removed from value set %s on %s, %s: still accepted (Annex V §4.2)"},
	DeviceRemoved:       i18n.Format{ES: "%q se retiró del conjunto de valores %s el %s, más de 72 horas antes de la toma de la muestra (anexo V, §4.2)", EN: "%q was removed from value set %s on %s, more than 72 hours before the sample was taken (Annex V §4.2)"},
	NotSampleTime:       i18n.Format{ES: "%q no es una fecha y hora de toma de muestra: use AAAA-MM-DDThh:mm:ss con Z, ±hh, ±hhmm o ±hh:mm (anexo V, §4.2)", EN: "%q is not a sample time: use YYYY-MM-DDThh:mm:ss with Z, ±hh, ±hhmm or ±hh:mm (Annex V §4.2)"},
	FractionalIssuer:    i18n.Format{ES: "%q tiene fracciones de segundo: use AAAA-MM-DDThh:mm:ss con Z, ±hh, ±hhmm o ±hh:mm (anexo V, §4.2)", EN: "%q has fractional seconds: use YYYY-MM-DDThh:mm:ss with Z, ±hh, ±hhmm or ±hh:mm (Annex V §4.2)"},
	Fractional:          i18n.Format{ES: "%q tiene fracciones de segundo, que el anexo V, §4.2, no admite (los esquemas anteriores sí)", EN: "%q has fractional seconds, which Annex V §4.2 does not allow (older schemas did)"},
	SampleFuture:        i18n.Format{ES: "%s es posterior a la hora actual (después de %s, con un margen de %s): no se puede certificar una prueba antes de tomar la muestra", EN: "%s is in the future (later than %s, allowing %s of clock skew): a test cannot be certified before its sample was taken"},
	DFEarly:             i18n.Format{ES: "%s es anterior a fr + 11 días (%s) (anexo V, §4.3)", EN: "%s is earlier than fr + 11 days (%s) (Annex V §4.3)"},
	DULate:              i18n.Format{ES: "%s es posterior a fr + 180 días (%s) (anexo V, §4.3)", EN: "%s is later than fr + 180 days (%s) (Annex V §4.3)"},
	DUBeforeDF:          i18n.Format{ES: "%s es anterior a df %s: el certificado nunca sería válido (anexo V, §4.3)", EN: "%s is earlier than df %s: the certificate would never be valid (Annex V §4.3)"},
	Truncated:           i18n.Format{ES: "truncado de %d a %d caracteres (anexo V: como máximo 80 caracteres; los sobrantes se truncan)", EN: "truncated from %d to %d characters (Annex V: at most 80 characters, extra characters are truncated)"},
	NotVersion:          i18n.Format{ES: "%q no es una versión de esquema (MAYOR.MENOR.PARCHE)", EN: "%q is not a schema version (MAJOR.MINOR.PATCH)"},
	SchemaUnsupported:   i18n.Format{ES: "la versión de esquema %s no está admitida (conocidas: %s)", EN: "schema version %s is not supported (known: %s)"},
	IntegerGot:          i18n.Format{ES: "debe ser un número entero; es %v (anexo V, §4.1)", EN: "must be an integer, got %v (Annex V §4.1)"},
	IntegerRange:        i18n.Format{ES: "%v está fuera del intervalo de un número entero", EN: "%v is out of range for an integer"},
	Schema:              i18n.Format{ES: "no cumple el esquema %s (en inglés: %s)", EN: "schema %s: %s"},
	UVCILower:           i18n.Format{ES: "minúsculas (la primera en la posición %d) pasadas a mayúsculas: el anexo III, §3, solo admite mayúsculas", EN: "lower-case letters (first at position %d) normalised to upper case: Annex III §3 allows upper case only"},
	UVCILongCountry:     i18n.Format{ES: "el código de país %q tiene más de dos letras: el anexo III, §3, reserva esos códigos para uso futuro", EN: "country code %q has more than two letters: Annex III §3 reserves such codes for future use"},
	UVCIOther:           i18n.Format{ES: "aviso sobre el identificador: %s", EN: "about the identifier: %s"},

	SchemaRequired:   i18n.Format{ES: "esquema %s: faltan los campos %s", EN: "schema %s: missing properties %s"},
	SchemaType:       i18n.Format{ES: "esquema %s: es de tipo %s, se espera %s", EN: "schema %s: got %s, want %s"},
	SchemaPattern:    i18n.Format{ES: "esquema %s: %q no sigue el patrón %s", EN: "schema %s: %q does not match pattern %s"},
	SchemaMinLength:  i18n.Format{ES: "esquema %s: tiene %d caracteres, se requieren al menos %d", EN: "schema %s: length %d, at least %d required"},
	SchemaMaxLength:  i18n.Format{ES: "esquema %s: tiene %d caracteres, se admiten %d como máximo", EN: "schema %s: length %d, at most %d allowed"},
	SchemaAdditional: i18n.Format{ES: "esquema %s: campos no permitidos: %s", EN: "schema %s: additional properties %s not allowed"},
	SchemaEnum:       i18n.Format{ES: "esquema %s: %v no es uno de los valores admitidos", EN: "schema %s: %v is not one of the allowed values"},
	SchemaConst:      i18n.Format{ES: "esquema %s: %v no es el valor exigido", EN: "schema %s: %v is not the required value"},
	SchemaFormat:     i18n.Format{ES: "esquema %s: %v no tiene el formato %s", EN: "schema %s: %v is not a valid %s"},
	SchemaMinimum:    i18n.Format{ES: "esquema %s: %v es menor que el mínimo %v", EN: "schema %s: %v is less than the minimum %v"},
	SchemaMaximum:    i18n.Format{ES: "esquema %s: %v es mayor que el máximo %v", EN: "schema %s: %v is greater than the maximum %v"},
	SchemaMinItems:   i18n.Format{ES: "esquema %s: tiene %d elementos, se requieren al menos %d", EN: "schema %s: %d items, at least %d required"},
	SchemaMaxItems:   i18n.Format{ES: "esquema %s: tiene %d elementos, se admiten %d como máximo", EN: "schema %s: %d items, at most %d allowed"},

	AVaccination:   i18n.Text{ES: "una vacunación", EN: "a vaccination"},
	ATest:          i18n.Text{ES: "una prueba", EN: "a test"},
	AFirstPositive: i18n.Text{ES: "un primer resultado positivo", EN: "a first positive test"},
	GraceWithin:    i18n.Text{ES: "menos de 72 horas antes de la toma de la muestra", EN: "less than 72 hours before the sample was taken"},
	GraceAfter:     i18n.Text{ES: "después de la toma de la muestra", EN: "after the sample was taken"},

	// What a UVCI error is, by the uvci package's sentinel; the English
	// is the error itself.
	UVCI: map[string]i18n.Text{
		"character":       {ES: "contiene un carácter no permitido (solo A–Z, 0–9, «/», «:» y «#»)", EN: "character not allowed"},
		"syntax":          {ES: "su estructura no es la del anexo III", EN: "malformed identifier"},
		"version":         {ES: "la versión no es 01", EN: "unsupported version"},
		"country":         {ES: "el código de país no es de dos letras mayúsculas", EN: "invalid country code"},
		"length":          {ES: "es demasiado largo", EN: "identifier too long"},
		"check character": {ES: "el carácter de control no coincide", EN: "check character does not match"},
	},
}
