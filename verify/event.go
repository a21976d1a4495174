package verify

import (
	"dcc"
	"dcc/i18n"
	"dcc/valueset"
)

// Event is what a border officer checks of the certificate's entry: for a
// vaccination the dose n of m and the product, for a test its type, result
// and sample time, for a recovery the first positive result and the
// validity. Only the fields of the certificate's type are set.
type Event struct {
	Disease *Coded `json:"disease,omitempty"` // tg
	Country *Coded `json:"country,omitempty"` // co: where the event took place
	// Vaccination
	Dose         int    `json:"dose,omitempty"`  // dn
	Doses        int    `json:"doses,omitempty"` // sd
	Product      *Coded `json:"product,omitempty"`
	Vaccine      *Coded `json:"vaccine,omitempty"`      // vp
	Manufacturer *Coded `json:"manufacturer,omitempty"` // ma
	Date         string `json:"date,omitempty"`         // dt
	// Test
	TestType   *Coded `json:"testType,omitempty"`
	TestName   string `json:"testName,omitempty"`   // nm (NAAT)
	TestDevice *Coded `json:"testDevice,omitempty"` // ma (RAT)
	TestResult *Coded `json:"testResult,omitempty"`
	SampleTime string `json:"sampleTime,omitempty"` // sc
	Centre     string `json:"testingCentre,omitempty"`
	// Recovery
	FirstPositive string `json:"firstPositive,omitempty"` // fr
	ValidFrom     string `json:"validFrom,omitempty"`     // df
	ValidUntil    string `json:"validUntil,omitempty"`    // du
}

// Coded is a value-set code with its name in Spanish and English.
type Coded struct {
	Code string `json:"code"`
	ES   string `json:"es"`
	EN   string `json:"en"`
}

// Text is the code's name in both languages.
func (c *Coded) Text() i18n.Text {
	if c == nil {
		return i18n.Text{}
	}
	return i18n.Text{ES: c.ES, EN: c.EN}
}

// eventOf reads the event of a verified payload; vs names its codes (nil:
// each name is its code).
func eventOf(p *dcc.Payload, vs *valueset.Store) *Event {
	code := func(set, c string) *Coded {
		if c == "" {
			return nil
		}
		n := i18n.Text{ES: c, EN: c}
		if vs != nil {
			n = vs.Name(set, c)
		}
		return &Coded{Code: c, ES: n.ES, EN: n.EN}
	}
	switch {
	case len(p.V) == 1:
		v := p.V[0]
		return &Event{Disease: code(valueset.DiseaseAgentTargeted, v.TG), Country: code(valueset.CountryCodes, v.CO),
			Dose: v.DN, Doses: v.SD, Product: code(valueset.VaccineProduct, v.MP), Vaccine: code(valueset.VaccineProphylaxis, v.VP),
			Manufacturer: code(valueset.VaccineMAH, v.MA), Date: v.DT}
	case len(p.T) == 1:
		t := p.T[0]
		return &Event{Disease: code(valueset.DiseaseAgentTargeted, t.TG), Country: code(valueset.CountryCodes, t.CO),
			TestType: code(valueset.TestType, t.TT), TestName: t.NM, TestDevice: code(valueset.TestManf, t.MA),
			TestResult: code(valueset.TestResult, t.TR), SampleTime: t.SC, Centre: t.TC}
	case len(p.R) == 1:
		r := p.R[0]
		return &Event{Disease: code(valueset.DiseaseAgentTargeted, r.TG), Country: code(valueset.CountryCodes, r.CO),
			FirstPositive: r.FR, ValidFrom: r.DF, ValidUntil: r.DU}
	}
	return nil
}
