package verify

// msg explains a failed check in the verifier's language (es or en); the
// technical detail follows.
func msg(lang, check, detail string) string {
	texts := map[string][2]string{ // es, en
		"qr":           {"No se puede leer un código QR en la imagen", "No QR code can be read in the image"},
		"decode":       {"No es un certificado COVID digital de la UE legible", "Not a readable EU Digital COVID Certificate"},
		"kid":          {"El firmante del certificado no es de confianza (desconocido)", "The certificate's signer is not trusted (unknown)"},
		"alg":          {"El algoritmo de firma no es válido", "The signature algorithm is not valid"},
		"signature":    {"La firma no es válida: el certificado ha sido alterado o no procede del emisor", "The signature is not valid: the certificate was altered or does not come from its issuer"},
		"expiry":       {"El certificado ha caducado o aún no es válido", "The certificate has expired or is not valid yet"},
		"dsc-validity": {"El certificado del firmante no era válido cuando se firmó", "The signer's certificate was not valid when it was signed"},
		"key-usage":    {"El firmante no puede emitir este tipo de certificado", "The signer may not issue this type of certificate"},
		"chain":        {"El firmante no está certificado por la autoridad de su país", "The signer is not certified by its country's authority"},
		"schema":       {"El contenido del certificado no es válido", "The certificate's content is not valid"},
		"revocation":   {"El certificado ha sido revocado", "The certificate has been revoked"},
		"rules":        {"No se acepta en el país de destino; reglas no cumplidas", "Not accepted in the country of arrival; rules not met"},
		"rules-error":  {"Las reglas del país de destino no se pudieron evaluar", "The rules of the country of arrival could not be evaluated"},
	}
	t, ok := texts[check]
	if !ok {
		t = [2]string{"Comprobación fallida: " + check, "Check failed: " + check}
	}
	s := t[1]
	if lang == "es" {
		s = t[0]
	}
	if detail != "" {
		s += ": " + detail
	}
	return s
}
