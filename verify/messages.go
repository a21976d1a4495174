package verify

import (
	"errors"
	"slices"
	"strings"

	"dcc/i18n"
	"dcc/qr"
)

// Explanation is what a person reads about an outcome, in Spanish and
// English, with the technical detail for operators (a kid, a hash type, a
// decoder's exception) kept apart from the sentence.
type Explanation struct {
	ES        string `json:"es"`
	EN        string `json:"en"`
	Technical string `json:"technical,omitempty"`
}

// Text is the explanation's sentence in both languages.
func (e *Explanation) Text() i18n.Text {
	if e == nil {
		return i18n.Text{}
	}
	return i18n.Text{ES: e.ES, EN: e.EN}
}

func explain(t i18n.Text, technical string) *Explanation {
	return &Explanation{ES: t.ES, EN: t.EN, Technical: technical}
}

// messageTable is every sentence the verifier says to people. Check names
// the failed check (by verify.Check.Name); the rest are filled in with the
// outcome's facts.
type messageTable struct {
	Check       map[string]i18n.Text
	CheckFailed i18n.Format // a check without a text of its own: its name

	TooLong     i18n.Format // the limit
	QRNotFound  i18n.Text
	QRNotImage  i18n.Text
	QRTooLarge  i18n.Text
	Expired     i18n.Format // the expiry date
	NotYetValid i18n.Format // the date of issue
	Revoked     i18n.Format // the country whose list has it
	RulesFailed i18n.Format // the country of arrival, the rules' identifiers
	RulesError  i18n.Format // the country of arrival

	// Why a signer may be unknown: what the trust list holds.
	TrustEmpty     i18n.Text
	TrustOnly      i18n.Format // the one country of the list, the certificate's
	TrustNotIssuer i18n.Format // the certificate's country, the list's countries
	TrustHasIssuer i18n.Format // the certificate's country
}

func messages() messageTable {
	return messageTable{
		Check: map[string]i18n.Text{
			"qr":           {ES: "No se puede leer ningún código QR en la imagen", EN: "No QR code can be read in the image"},
			"decode":       {ES: "No es un certificado COVID digital de la UE legible", EN: "Not a readable EU Digital COVID Certificate"},
			"kid":          {ES: "El firmante del certificado no es de confianza: su certificado de firma no está en la lista de confianza", EN: "The certificate's signer is not trusted: its signing certificate is not in the trust list"},
			"alg":          {ES: "El algoritmo de firma no es válido", EN: "The signature algorithm is not valid"},
			"signature":    {ES: "La firma no es válida: el certificado ha sido alterado o no procede del emisor", EN: "The signature is not valid: the certificate was altered or does not come from its issuer"},
			"expiry":       {ES: "El certificado ha caducado o aún no es válido", EN: "The certificate has expired or is not valid yet"},
			"dsc-validity": {ES: "El certificado del firmante no era válido cuando se firmó", EN: "The signer's certificate was not valid when it was signed"},
			"key-usage":    {ES: "El firmante no puede emitir este tipo de certificado", EN: "The signer may not issue this type of certificate"},
			"chain":        {ES: "El firmante no está certificado por la autoridad de su país", EN: "The signer is not certified by its country's authority"},
			"schema":       {ES: "El contenido del certificado no es válido", EN: "The certificate's content is not valid"},
			"revocation":   {ES: "El certificado ha sido revocado", EN: "The certificate has been revoked"},
			"rules":        {ES: "No se acepta en el país de destino: reglas no cumplidas", EN: "Not accepted in the country of arrival: rules not met"},
		},
		CheckFailed: i18n.Format{ES: "Comprobación fallida: %s", EN: "Check failed: %s"},

		TooLong:     i18n.Format{ES: "No es un certificado COVID digital de la UE legible: el texto tiene más de %d caracteres", EN: "Not a readable EU Digital COVID Certificate: the text has more than %d characters"},
		QRNotFound:  i18n.Text{ES: "No se puede leer ningún código QR en la imagen", EN: "No QR code can be read in the image"},
		QRNotImage:  i18n.Text{ES: "El archivo no es una imagen PNG ni JPEG legible", EN: "The file is not a readable PNG or JPEG image"},
		QRTooLarge:  i18n.Text{ES: "La imagen es demasiado grande para leerla", EN: "The image is too large to be read"},
		Expired:     i18n.Format{ES: "El certificado ha caducado: era válido hasta el %s", EN: "The certificate has expired: it was valid until %s"},
		NotYetValid: i18n.Format{ES: "El certificado aún no es válido: se emitió el %s, después de la fecha de la verificación", EN: "The certificate is not valid yet: it was issued on %s, after the validation time"},
		Revoked:     i18n.Format{ES: "El certificado ha sido revocado: figura en la lista de revocación de %s", EN: "The certificate has been revoked: it is on the revocation list of %s"},
		RulesFailed: i18n.Format{ES: "No se acepta en el país de destino (%s): no cumple las reglas %s", EN: "Not accepted in the country of arrival (%s): the rules %s are not met"},
		RulesError:  i18n.Format{ES: "Las reglas del país de destino (%s) no se pudieron evaluar", EN: "The rules of the country of arrival (%s) could not be evaluated"},

		TrustEmpty: i18n.Text{ES: "La lista de confianza no contiene ningún certificado de firma: no puede comprobarse ningún certificado",
			EN: "The trust list holds no signing certificate: no certificate can be checked"},
		TrustOnly: i18n.Format{ES: "La lista de confianza solo contiene certificados de firma de %s; un certificado de otro país (este dice ser de %s) no puede comprobarse aquí, lo que no significa que sea falso",
			EN: "The trust list holds only %s signing certificates: a certificate of another country (this one says it is of %s) cannot be checked here, which does not make it forged"},
		TrustNotIssuer: i18n.Format{ES: "La lista de confianza no contiene certificados de firma de %s (solo de %s): este certificado no puede comprobarse aquí, lo que no significa que sea falso",
			EN: "The trust list holds no signing certificates of %s (only of %s): this certificate cannot be checked here, which does not make it forged"},
		TrustHasIssuer: i18n.Format{ES: "La lista de confianza contiene certificados de firma de %s, pero no el que firmó este certificado: puede estar falsificado o firmado con un certificado retirado",
			EN: "The trust list holds signing certificates of %s, but not the one that signed this certificate: it may be forged or signed with a withdrawn certificate"},
	}
}

// failure is the sentence for a failed check.
func (m messageTable) failure(check string) i18n.Text {
	if t, ok := m.Check[check]; ok {
		return t
	}
	return m.CheckFailed.With(check)
}

// qrFailure tells why no code was read from an image.
func (m messageTable) qrFailure(err error) i18n.Text {
	msg := err.Error()
	switch {
	case errors.Is(err, qr.ErrNotFound):
		return m.QRNotFound
	case strings.Contains(msg, "larger than the limit"):
		return m.QRTooLarge
	case strings.Contains(msg, "not a PNG or JPEG") || strings.Contains(msg, "only PNG and JPEG") || strings.Contains(msg, "decoding"):
		return m.QRNotImage
	}
	return m.QRNotFound
}

// trustNote explains an unknown signer by what the trust list holds, so
// that a genuine certificate of a country the list lacks is not taken for
// a forgery. issuer is the certificate's own (unverified) iss claim.
func (m messageTable) trustNote(countries []string, issuer string) i18n.Text {
	if issuer == "" {
		issuer = "?"
	}
	switch {
	case len(countries) == 0:
		return m.TrustEmpty
	case slices.Contains(countries, issuer):
		return m.TrustHasIssuer.With(issuer)
	case len(countries) == 1:
		return m.TrustOnly.With(countries[0], issuer)
	}
	return m.TrustNotIssuer.With(issuer, strings.Join(countries, ", "))
}
