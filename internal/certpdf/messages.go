package certpdf

import "dcc/i18n"

// messages are the texts of the document besides the field labels of Annex
// V (content.go): the DEMO marking and the notes on the back.
type messages struct {
	// NotValid follows "DEMO — " on the band of demo material.
	NotValid i18n.Text
	// Demo is the watermark word; the same in both languages.
	Demo string
	// The back of the leaflet.
	Notes      i18n.Text
	NotTravel  i18n.Text
	Evolving   i18n.Text
	Rules      i18n.Text
	Verify     i18n.Text
	IssuedBy   i18n.Format
	DemoNotice i18n.Text
}

// msg is the table; the notes of the back follow the text the EU's
// reference issuance application prints (the first two), in the terms of
// the Spanish version of Regulation (EU) 2021/953.
var msg = messages{
	NotValid: i18n.Text{ES: "no válido", EN: "not valid"},
	Demo:     "DEMO",
	Notes:    i18n.Text{ES: "Información", EN: "Information"},
	NotTravel: i18n.Text{
		ES: "Este certificado no es un documento de viaje.",
		EN: "This certificate is not a travel document.",
	},
	Evolving: i18n.Text{
		ES: "Los datos científicos sobre la vacunación, las pruebas diagnósticas y la recuperación de la COVID-19 siguen evolucionando, también en vista de las nuevas variantes preocupantes del virus. Antes de viajar, compruebe las medidas de salud pública aplicables y las restricciones correspondientes en el lugar de destino.",
		EN: "The scientific evidence on COVID-19 vaccination, testing and recovery continues to evolve, also in view of new variants of concern of the virus. Before travelling, please check the applicable public health measures and related restrictions applied at the point of destination.",
	},
	Rules: i18n.Text{
		ES: "La validez del certificado la determinan las normas del país de destino.",
		EN: "The validity rules of the country of destination apply.",
	},
	Verify: i18n.Text{
		ES: "Cómo verificarlo: lea el código QR con una aplicación de verificación del Certificado COVID Digital de la UE; la firma se comprueba con las claves públicas que los Estados miembros intercambian a través de la pasarela de la UE.",
		EN: "How to verify it: scan the QR code with an EU Digital COVID Certificate verifier app; the signature is checked against the public keys the Member States exchange through the EU gateway.",
	},
	IssuedBy: i18n.Format{ES: "Emisor del certificado: %s.", EN: "Certificate issuer: %s."},
	DemoNotice: i18n.Text{
		ES: "Documento de un sistema de demostración: sus claves solo sirven para probar y ningún verificador lo acepta.",
		EN: "Document of a demonstration system: its keys are for trying it out only and no verifier accepts it.",
	},
}
