package deployment

import "dcc/i18n"

// msg is what the deployment tells a person it refuses, in both languages.
var msg = struct {
	Vaccination, Test, Recovery                                i18n.Text
	OperatorsDoNotIssue, OperatorsOnlySearch                   i18n.Format
	LabTestsOnly, UnknownRole, UnknownAuthority, TypeNotIssued i18n.Format
}{
	OperatorsDoNotIssue: i18n.Format{ES: "los operadores del registro no emiten certificados", EN: "registry operators do not issue certificates"},
	OperatorsOnlySearch: i18n.Format{ES: "solo los operadores del registro consultan el registro nacional", EN: "only registry operators search the national registry"},
	Vaccination:         i18n.Text{ES: "vacunación", EN: "vaccination"},
	Test:                i18n.Text{ES: "prueba diagnóstica", EN: "test"},
	Recovery:            i18n.Text{ES: "recuperación", EN: "recovery"},
	LabTestsOnly:        i18n.Format{ES: "el laboratorio %s solo puede emitir certificados de prueba diagnóstica", EN: "laboratory %s may issue only test certificates"},
	UnknownRole:         i18n.Format{ES: "papel desconocido %q", EN: "unknown role %q"},
	UnknownAuthority:    i18n.Format{ES: "la autoridad %q no forma parte de este despliegue", EN: "authority %q is not part of this deployment"},
	TypeNotIssued:       i18n.Format{ES: "%s no emite certificados de %s (emite: %s)", EN: "%s does not issue %s certificates (it issues: %s)"},
}
