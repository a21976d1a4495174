package web

import (
	"html/template"
	"strings"

	"dcc/i18n"
)

// msg is every message the interface's Go code shows a person, in both
// languages. Messages of the packages behind it (validation, refusals)
// arrive as i18n.Text too; page texts live in the templates, bilingual.
var msg = struct {
	NothingIssued, NothingDone, Required, FormUsed                        i18n.Text
	NotAllowed, CertNotFound, CertNotFoundDetail, Conflict, Internal      i18n.Text
	InternalDetail, NotFound, NoHC1, SessionExpired, SignInAgain          i18n.Text
	FormUnreadable, FormUnreadableDetail, Refused, RefusedDetail, Reload  i18n.Text
	Throttled, OutboxShown, OutboxManaged, NoTypeHere, BadType, NotDay    i18n.Text
	YesNo, HolderDOB, Date, Product, PageNotFound                         i18n.Text
	Confirm, ReasonRequired, NotAccepted, Revoked, UnknownLayout, Layouts i18n.Text
	MayNotIssue, DoseField, Labelled, SampleZone, SampleAs                i18n.Format
}{
	NothingIssued:        i18n.Text{ES: "No se ha emitido nada.", EN: "Nothing was issued."},
	NothingDone:          i18n.Text{ES: "Estas credenciales no permiten esta acción; no se ha hecho nada.", EN: "These credentials do not allow this action; nothing was done."},
	Required:             i18n.Text{ES: "obligatorio", EN: "required"},
	FormUsed:             i18n.Text{ES: "Este formulario ya se usó para emitir otro certificado; revise los datos y vuelva a emitir.", EN: "This form was already used to issue another certificate; check the data and issue again."},
	NotAllowed:           i18n.Text{ES: "No autorizado", EN: "Not allowed"},
	CertNotFound:         i18n.Text{ES: "Certificado no encontrado", EN: "Certificate not found"},
	CertNotFoundDetail:   i18n.Text{ES: "No existe ningún certificado con este identificador que estas credenciales puedan ver.", EN: "No certificate with this identifier exists that these credentials may see."},
	Conflict:             i18n.Text{ES: "Conflicto", EN: "Conflict"},
	Internal:             i18n.Text{ES: "Error interno", EN: "Internal error"},
	InternalDetail:       i18n.Text{ES: "No se ha podido completar la solicitud; el error queda registrado.", EN: "The request could not be completed; the error is logged."},
	NotFound:             i18n.Text{ES: "No encontrado", EN: "Not found"},
	PageNotFound:         i18n.Text{ES: "Esta página no existe.", EN: "There is no such page."},
	NoHC1:                i18n.Text{ES: "Este registro llegó sin el certificado firmado; la autoridad emisora puede volver a emitirlo.", EN: "This record came without its signed certificate; the issuing authority can re-issue it."},
	SessionExpired:       i18n.Text{ES: "Sesión caducada o cerrada", EN: "Session expired or closed"},
	SignInAgain:          i18n.Text{ES: "Vuelva a entrar; no se ha hecho nada.", EN: "Sign in again; nothing was done."},
	FormUnreadable:       i18n.Text{ES: "Formulario ilegible", EN: "Form not readable"},
	FormUnreadableDetail: i18n.Text{ES: "El formulario enviado no se pudo leer.", EN: "The form sent could not be read."},
	Refused:              i18n.Text{ES: "Solicitud rechazada", EN: "Request refused"},
	RefusedDetail:        i18n.Text{ES: "La solicitud no procede de un formulario de esta aplicación o su token de seguridad no es válido; no se ha hecho nada.", EN: "The request does not come from a form of this application or its security token is not valid; nothing was done."},
	Reload:               i18n.Text{ES: "Vuelva a cargar la página e inténtelo de nuevo.", EN: "Reload the page and try again."},
	Throttled:            i18n.Text{ES: "Demasiados intentos fallidos desde esta dirección: credencial no aceptada; espere unos segundos. Una credencial válida siempre se acepta.", EN: "Too many failed attempts from this address: credential not accepted; wait a few seconds. A valid credential is always accepted."},
	OutboxShown:          i18n.Text{ES: "La cola de entrega la ven los responsables de la autoridad emisora.", EN: "The delivery queue is shown to the issuing authority's staff."},
	OutboxManaged:        i18n.Text{ES: "La cola de entrega la gestionan los responsables de la autoridad emisora.", EN: "The delivery queue is managed by the issuing authority's staff."},
	NoTypeHere:           i18n.Text{ES: "Aquí no se emiten certificados de este tipo.", EN: "Certificates of this type are not issued here."},
	BadType:              i18n.Text{ES: "vacunación, prueba o recuperación", EN: "vaccination, test or recovery"},
	NotDay:               i18n.Text{ES: "no es una fecha: escriba AAAA-MM-DD o DD/MM/AAAA", EN: "not a date: write YYYY-MM-DD or DD/MM/YYYY"},
	YesNo:                i18n.Text{ES: "sí o no", EN: "yes or no"},
	HolderDOB:            i18n.Text{ES: "AAAA-MM-DD, DD/MM/AAAA, AAAA-MM o AAAA", EN: "YYYY-MM-DD, DD/MM/YYYY, YYYY-MM or YYYY"},
	Date:                 i18n.Text{ES: "fecha", EN: "date"},
	Product:              i18n.Text{ES: "producto", EN: "product"},
	Confirm:              i18n.Text{ES: "marque la casilla para confirmar: la revocación no se puede deshacer", EN: "tick the box to confirm: revocation cannot be undone"},
	ReasonRequired:       i18n.Text{ES: "obligatorio: indique por qué se revoca el certificado", EN: "required: say why the certificate is revoked"},
	NotAccepted:          i18n.Text{ES: "Credencial no aceptada: desconocida o revocada.", EN: "Credential not accepted: unknown or revoked."},
	Revoked:              i18n.Text{ES: "Certificado revocado", EN: "Certificate revoked"},
	UnknownLayout:        i18n.Text{ES: "Formato desconocido", EN: "Unknown layout"},
	Layouts:              i18n.Text{ES: "El PDF se ofrece en a4 (hoja A4 que se pliega en un folleto A6) o a6 (una sola página A6).", EN: "The PDF comes as a4 (an A4 sheet that folds into an A6 leaflet) or a6 (a single A6 page)."},
	SampleZone:           i18n.Format{ES: "Hora local de %s (ahora UTC%s).", EN: "Local time of %s (now UTC%s)."},
	SampleAs:             i18n.Format{ES: "Hora local de %s: se certifica como %s (%s UTC).", EN: "Local time of %s: certified as %s (%s UTC)."},
	MayNotIssue:          i18n.Format{ES: "No puede emitir certificados de %s", EN: "You may not issue %s certificates"},
	DoseField:            i18n.Format{ES: "Dosis %d, %s", EN: "Dose %d, %s"},
	Labelled:             i18n.Format{ES: "%s: %s", EN: "%s: %s"},
}

// bis are messages as the pages print them (bi).
func bis(ts []i18n.Text) []template.HTML {
	out := make([]template.HTML, len(ts))
	for i, t := range ts {
		out[i] = bi(t)
	}
	return out
}

// split reads a bilingual label "Español / English" into its halves.
func split(label string) i18n.Text {
	es, en, ok := strings.Cut(label, " / ")
	if !ok {
		return i18n.Text{ES: label, EN: label}
	}
	return i18n.Text{ES: es, EN: en}
}

// labelled is a problem prefixed by the name of its field.
func labelled(key string, reason i18n.Text) i18n.Text {
	if key == "" {
		return reason
	}
	return msg.Labelled.With(split(label(key)), reason)
}
