package server

import "dcc/i18n"

// msg is what the API's answers tell a person in "detail", in both
// languages; Accept-Language chooses (peopleLanguage).
var msg = struct {
	Invalid, NotFound, Internal i18n.Text
}{
	Invalid:  i18n.Text{ES: "Se indican todos los errores de los campos; no se ha firmado ni guardado nada.", EN: "Every field error is listed; nothing was signed or stored."},
	NotFound: i18n.Text{ES: "No existe ningún certificado con este UVCI que estas credenciales puedan ver.", EN: "No certificate with this UVCI exists that these credentials may see."},
	Internal: i18n.Text{ES: "No se ha podido completar la solicitud; no se ha emitido nada. El error queda registrado.", EN: "The request could not be completed; nothing was issued. The error is logged."},
}
