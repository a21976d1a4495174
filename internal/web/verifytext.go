package web

import "dcc/i18n"

// verifyTable is every message of the verify page that the server writes,
// in Spanish and English (the verifier's own reasons come from package
// verify). The template's fixed headings are written there in both.
type verifyTable struct {
	Refused, TooMany, TooManyDetail           i18n.Text
	Nothing, NothingDetail                    i18n.Text
	PhotoTooLarge, SmallerPhoto               i18n.Text
	PhotoPixelsDetail                         i18n.Format // width, height, megapixels
	NoCode, NoCodeHint                        i18n.Text
	Busy, BusyDetail                          i18n.Text
	FileTooLarge                              i18n.Text
	FileTooLargeDetail                        i18n.Format // megabytes
	Unreadable, SendThisForm, UnreadableAgain i18n.Text

	BadLang, BadCountry, BadRegion, BadAt i18n.Text

	Valid, Invalid, NotAccepted i18n.Text
	// RulesNotChecked: a country was chosen whose rules are not loaded.
	RulesNotChecked i18n.Format // the country
	// NoRules is said where no country's rules are loaded at all.
	NoRules, NoCountryRules, CountryHint i18n.Text
	UnknownDOB                           i18n.Text

	Checks   map[string]i18n.Text // by verify.Check.Name
	Statuses map[string]i18n.Text // by verify.Status

	DoseOf         i18n.Format // dose, doses
	IssuedOn       i18n.Text
	ExpiresOn      i18n.Text
	IssuingCountry i18n.Text
	Validity       i18n.Text
	ValidityRange  i18n.Format // from, until
}

func verifyText() verifyTable {
	return verifyTable{
		Refused:       i18n.Text{ES: "Solicitud rechazada.", EN: "Request refused."},
		TooMany:       i18n.Text{ES: "Demasiadas verificaciones", EN: "Too many verifications"},
		TooManyDetail: i18n.Text{ES: "Se han enviado demasiadas verificaciones desde esta dirección; espere un momento y vuelva a intentarlo.", EN: "Too many verifications were sent from this address; wait a moment and try again."},
		Nothing:       i18n.Text{ES: "Nada que verificar", EN: "Nothing to verify"},
		NothingDetail: i18n.Text{ES: "Elija una foto del código QR o pegue el texto del código.", EN: "Choose a photo of the QR code or paste the code's text."},
		PhotoTooLarge: i18n.Text{ES: "Foto demasiado grande", EN: "Photo too large"},
		PhotoPixelsDetail: i18n.Format{ES: "La foto tiene %d×%d píxeles; el límite es de %d megapíxeles.",
			EN: "The photo has %d×%d pixels; the limit is %d megapixels."},
		SmallerPhoto: i18n.Text{ES: "Una foto del código recortada o de menor resolución basta.", EN: "A cropped or smaller photo of the code is enough."},
		NoCode:       i18n.Text{ES: "No se ha encontrado ningún código QR", EN: "No QR code found"},
		NoCodeHint: i18n.Text{ES: "Use una foto PNG o JPEG nítida, con el código entero, de frente y sin reflejos.",
			EN: "Use a sharp PNG or JPEG photo showing the whole code, straight on and without glare."},
		Busy: i18n.Text{ES: "Servicio ocupado", EN: "Service busy"},
		BusyDetail: i18n.Text{ES: "Se están leyendo muchas fotos en este momento; vuelva a intentarlo en unos segundos o pegue el texto del código.",
			EN: "Many photos are being read right now; try again in a few seconds, or paste the code's text."},
		FileTooLarge:       i18n.Text{ES: "Archivo demasiado grande", EN: "File too large"},
		FileTooLargeDetail: i18n.Format{ES: "La foto no puede superar %s MB.", EN: "The photo must not exceed %s MB."},
		Unreadable:         i18n.Text{ES: "Formulario ilegible", EN: "Form not readable"},
		SendThisForm:       i18n.Text{ES: "Envíe el formulario de esta página.", EN: "Send this page's form."},
		UnreadableAgain:    i18n.Text{ES: "El formulario enviado no se pudo leer; vuelva a intentarlo.", EN: "The form sent could not be read; try again."},

		BadLang:    i18n.Text{ES: "Idioma: elija español o inglés.", EN: "Language: choose Spanish or English."},
		BadCountry: i18n.Text{ES: "País de destino: elija un país de la lista.", EN: "Country of arrival: choose a country of the list."},
		BadRegion:  i18n.Text{ES: "Región: un código de letras y cifras, p. ej. AN.", EN: "Region: a code of letters and digits, e.g. AN."},
		BadAt:      i18n.Text{ES: "Fecha y hora de la verificación: no es una fecha y hora válidas.", EN: "Validation time: not a valid date and time."},

		Valid:       i18n.Text{ES: "VÁLIDO", EN: "VALID"},
		Invalid:     i18n.Text{ES: "NO VÁLIDO", EN: "INVALID"},
		NotAccepted: i18n.Text{ES: "NO ACEPTADO", EN: "NOT ACCEPTED"},
		RulesNotChecked: i18n.Format{ES: "No se han comprobado las reglas de %s: no hay reglas cargadas de ese país; solo se ha hecho la comprobación técnica.",
			EN: "The rules of %s were not checked: no rules of that country are loaded; only the technical check was made."},
		NoRules: i18n.Text{ES: "Sin reglas: solo comprobación técnica. No hay reglas de ningún país de destino cargadas; se comprueban la firma, la vigencia, el contenido y la revocación.",
			EN: "No rules: technical check only. No country of arrival's rules are loaded; the signature, validity, content and revocation are checked."},
		NoCountryRules: i18n.Text{ES: "— Sin reglas de país: solo comprobación técnica —", EN: "— No country rules: technical check only —"},
		CountryHint:    i18n.Text{ES: "Solo se ofrecen los países cuyas reglas de aceptación están cargadas.", EN: "Only the countries whose acceptance rules are loaded are offered."},
		UnknownDOB:     i18n.Text{ES: "desconocida", EN: "unknown"},

		Checks: map[string]i18n.Text{
			"qr":           {ES: "Lectura del código QR", EN: "QR code read"},
			"decode":       {ES: "Descodificación", EN: "Decoding"},
			"kid":          {ES: "Firmante conocido", EN: "Known signer"},
			"alg":          {ES: "Algoritmo de firma", EN: "Signature algorithm"},
			"signature":    {ES: "Firma", EN: "Signature"},
			"expiry":       {ES: "Vigencia", EN: "Validity period"},
			"dsc-validity": {ES: "Validez del certificado del firmante", EN: "Signer's certificate validity"},
			"key-usage":    {ES: "Uso permitido de la clave", EN: "Permitted key usage"},
			"chain":        {ES: "Cadena de confianza", EN: "Chain of trust"},
			"schema":       {ES: "Contenido", EN: "Content"},
			"revocation":   {ES: "Revocación", EN: "Revocation"},
			"rules":        {ES: "Reglas del país de destino", EN: "Rules of the country of arrival"},
		},
		Statuses: map[string]i18n.Text{
			"pass":    {ES: "Correcto", EN: "Passed"},
			"fail":    {ES: "Fallido", EN: "Failed"},
			"open":    {ES: "Sin decidir", EN: "Undecided"},
			"skipped": {ES: "No aplicado", EN: "Skipped"},
		},

		DoseOf:         i18n.Format{ES: "%d de %d", EN: "%d of %d"},
		IssuedOn:       i18n.Text{ES: "Emitido el", EN: "Issued on"},
		ExpiresOn:      i18n.Text{ES: "Caduca el", EN: "Expires on"},
		IssuingCountry: i18n.Text{ES: "País emisor", EN: "Issuing country"},
		Validity:       i18n.Text{ES: "Validez del certificado de recuperación", EN: "Validity of the recovery certificate"},
		ValidityRange:  i18n.Format{ES: "del %s al %s", EN: "from %s to %s"},
	}
}
