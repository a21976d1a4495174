package issuance

import "dcc/i18n"

// msg is what issuance and the registry's records tell a person, in both
// languages.
var msg = struct {
	KeyReused, RevokedAlready, ReasonRequired, WhyVer, WhyIs, WhyTC, MustObject i18n.Text
	NoCI, HistoryVaccination, TranslitEmpty                                     i18n.Text
	NotThisSystem, LongerThan, NotJSON, NotObject, ReissueType, Preset          i18n.Format
	OtherGroup, OneEntry, NoTranslit, TranslitCut, HistoryUnreadable            i18n.Format
	HistoryDiffers, TranslitScript, TranslitChar                                i18n.Format
}{
	ReasonRequired:     i18n.Text{ES: "obligatorio: indique por qué se revoca el certificado", EN: "required: say why the certificate is revoked"},
	WhyVer:             i18n.Text{ES: "la versión del esquema que escribe este sistema", EN: "the schema version this system writes"},
	WhyIs:              i18n.Text{ES: "el nombre de la autoridad emisora", EN: "the name of the issuing authority"},
	WhyTC:              i18n.Text{ES: "el nombre del laboratorio que envía la solicitud", EN: "the name of the laboratory that sends the request"},
	MustObject:         i18n.Text{ES: "debe ser un objeto", EN: "must be an object"},
	NoCI:               i18n.Text{ES: "el identificador del certificado lo asigna el sistema de emisión; omítalo", EN: "the certificate identifier is allocated by the issuing system; omit it"},
	HistoryVaccination: i18n.Text{ES: "el historial de dosis solo corresponde a una solicitud de vacunación", EN: "a dose history belongs to a vaccination request only"},
	TranslitEmpty:      i18n.Text{ES: "el nombre está vacío o no tiene letras: escriba al menos una letra", EN: "the name is empty or has no letters: enter at least one letter"},
	LongerThan:         i18n.Format{ES: "tiene más de %d caracteres", EN: "longer than %d characters"},
	NotJSON:            i18n.Format{ES: "el cuerpo no es un contenido JSON: %s", EN: "the body is not a JSON payload: %s"},
	NotObject:          i18n.Format{ES: "el cuerpo debe ser un objeto JSON con nam, dob y una entrada %s", EN: "the body must be a JSON object with nam, dob and one %s entry"},
	ReissueType:        i18n.Format{ES: "un certificado de %s se vuelve a emitir como certificado de %s, no de %s", EN: "a %s certificate is re-issued as a %s certificate, not %s"},
	Preset:             i18n.Format{ES: "lo completa el sistema de emisión como %q (%s); omítalo o envíe ese valor", EN: "is filled in by the issuing system as %q (%s); omit it or send that value"},
	OtherGroup:         i18n.Format{ES: "no se admite en una solicitud de certificado de %s; envíe solo %q", EN: "not allowed in a %s certificate request; send only %q"},
	OneEntry:           i18n.Format{ES: "debe ser una lista con exactamente una entrada de %s", EN: "must be an array with exactly one %s entry"},
	NoTranslit:         i18n.Format{ES: "no puede derivarse de nam.%s (%s); envíelo transliterado como en el documento de viaje del titular", EN: "cannot be derived from nam.%s (%s); send it transliterated as in the holder's travel document"},
	TranslitCut:        i18n.Format{ES: "la transliteración de nam.%s se ha recortado a %d caracteres", EN: "transliteration of nam.%s cut to %d characters"},
	HistoryUnreadable:  i18n.Format{ES: "no se puede leer: %v", EN: "cannot be read: %v"},
	HistoryDiffers:     i18n.Format{ES: "es %v, pero el historial de dosis da %s para la última dosis; omítalo o corrija el historial", EN: "is %v but the dose history gives %s for the last dose; omit it or correct the history"},
	TranslitScript:     i18n.Format{ES: "%q (escritura %s) no tiene transliteración ICAO 9303 aquí: escriba el nombre como figura en la zona de lectura mecánica del documento de viaje", EN: "%q (%s script) has no ICAO 9303 transliteration here: enter the name as it appears in the travel document's MRZ"},
	TranslitChar:       i18n.Format{ES: "%q no se admite en un nombre: solo letras, espacios, guiones, comas, apóstrofos y puntos", EN: "%q is not allowed in a name: only letters, spaces, hyphens, commas, apostrophes and periods"},
	KeyReused:          i18n.Text{ES: "la clave de idempotencia (Idempotency-Key) ya se usó para otra solicitud; use una clave nueva para una solicitud nueva", EN: "Idempotency-Key was already used for a different request; use a new key for a new request"},
	RevokedAlready:     i18n.Text{ES: "el certificado ya está revocado", EN: "the certificate is revoked already"},
	NotThisSystem:      i18n.Format{ES: "este sistema de emisión no emite para la autoridad %s", EN: "this issuing system does not issue for authority %s"},
}
