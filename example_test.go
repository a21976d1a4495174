package dcc_test

import (
	"fmt"

	"dcc"
)

func ExampleValidator_ValidateJSON() {
	v, err := dcc.NewValidator(nil) // the embedded value sets
	if err != nil {
		panic(err)
	}
	payload := []byte(`{
	  "ver": "1.3.0",
	  "nam": {"fn": "Smith-Jones", "fnt": "SMITH<JONES", "gn": "Charles Edward"},
	  "dob": "1964-13-01",
	  "v": [{"tg": "840539006", "vp": "1119349007", "mp": "EU/1/20/1528", "ma": "ORG-100030215",
	         "dn": 3, "sd": 2, "dt": "2021-06-11", "co": "NL", "is": "Ministry of Health Welfare and Sport",
	         "ci": "URN:UVCI:01:NL:DADFCC47C7334E45A906DB12FD859FB7#1"}]
	}`)
	for _, mode := range []dcc.Mode{dcc.Strict, dcc.Lenient} {
		rep, err := v.ValidateJSON(payload, mode)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s: valid=%v\n", mode, rep.Valid())
		for _, p := range rep.Problems {
			fmt.Println(" ", p)
		}
	}
	// Output:
	// strict: valid=false
	//   nam.gnt: is required when nam.gn is present: the ICAO 9303 transliteration of the same name (Annex V §3.2)
	//   dob: "1964-13-01" is not a date: use YYYY-MM-DD, YYYY-MM, YYYY or "" (Annex V §3.2)
	//   v[0].dn: dose number 3 is greater than the total 2: after the primary course each additional dose raises both, (N+X)/(C+X) (Annex II §5.2)
	// lenient: valid=false
	//   nam.gnt: warning: is required when nam.gn is present: the ICAO 9303 transliteration of the same name (Annex V §3.2)
	//   dob: "1964-13-01" is not a date: use YYYY-MM-DD, YYYY-MM, YYYY or "" (Annex V §3.2)
	//   v[0].dn: warning: dose number 3 is greater than the total 2: accepted, as certificates issued up to 2021-12-31 may follow older encodings (Annex II §5.2)
}
