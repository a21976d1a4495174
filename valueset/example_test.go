package valueset_test

import (
	"fmt"
	"log"
	"time"

	"dcc/valueset"
)

func ExampleStore_Lookup() {
	s, err := valueset.Embedded()
	if err != nil {
		log.Fatal(err)
	}
	v, ok := s.Lookup(valueset.VaccineProduct, "EU/1/20/1528")
	fmt.Println(v.Display, v.Active, ok)
	// A gateway valueSetId works as well as the canonical name.
	fmt.Println(s.Display("covid-19-lab-test-manufacturer-and-name", "344"))
	fmt.Println(s.Display(valueset.TestManf, "no-such-device"))
	// Output:
	// Comirnaty true true
	// SD BIOSENSOR Inc, STANDARD F COVID-19 Ag FIA
	// no-such-device
}

func ExampleStore_RATDevice() {
	s, err := valueset.Embedded()
	if err != nil {
		log.Fatal(err)
	}
	// test-manf-example.json lists 1065 with "active": false, "version": "2021-05-11".
	for _, at := range []string{"2021-05-13T23:59:00Z", "2021-05-14T00:01:00Z"} {
		t, _ := time.Parse(time.RFC3339, at)
		status, removed := s.RATDevice("1065", t)
		fmt.Println(at, status, removed.Format(time.DateOnly))
	}
	// Output:
	// 2021-05-13T23:59:00Z grace 2021-05-11
	// 2021-05-14T00:01:00Z removed 2021-05-11
}

func ExampleSupertype() {
	code, ok := valueset.Supertype("Comirnaty bivalent Original/Omicron BA.4/5")
	fmt.Println(code, ok)
	// Output: EU/1/20/1528 true
}
