package doses_test

import (
	"fmt"

	"dcc/doses"
)

// The issuance guide's Comirnaty sequence: 1/2, 2/2, booster 3/3, and a
// second booster with Comirnaty bivalent, encoded with its supertype code.
func ExampleNumber() {
	h, err := doses.DecodeHistory([]byte(`{"priorInfection": false, "doses": [
		{"date": "2022-11-15", "mp": "EU/1/20/1528"},
		{"date": "2021-06-11", "mp": "EU/1/20/1528"},
		{"date": "2021-08-11", "mp": "EU/1/20/1528"},
		{"date": "2021-11-11", "mp": "EU/1/20/1528"}
	]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	ns, err := doses.Number(h, doses.DefaultPolicy())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, n := range ns {
		fmt.Printf("%s %s %d/%d %v\n", n.Date, n.Product, n.DN, n.SD, n.Kind)
	}
	// Output:
	// 2021-06-11 EU/1/20/1528 1/2 incomplete
	// 2021-08-11 EU/1/20/1528 2/2 complete
	// 2021-11-11 EU/1/20/1528 3/3 additional
	// 2022-11-15 EU/1/20/1528 4/4 additional
}

// Annex II §5.1 and §5.2: a recovered person's single dose of a 2-dose
// vaccine is 1/1, and the next dose is the additional dose 2/2.
func ExampleNumber_priorInfection() {
	ns, err := doses.Number(doses.History{PriorInfection: true, Doses: []doses.Dose{
		{Date: "2021-05-01", Product: "EU/1/20/1507"},
		{Date: "2021-12-01", Product: "EU/1/20/1507"},
	}}, doses.DefaultPolicy())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, n := range ns {
		fmt.Printf("%d/%d %v\n", n.DN, n.SD, n.Kind)
	}
	// Output:
	// 1/1 complete
	// 2/2 additional
}

func ExampleClassify() {
	for _, c := range [][2]int{{1, 2}, {2, 2}, {3, 3}} {
		st, err := doses.Classify(c[0], c[1])
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%d/%d: %v (ambiguous: %t)\n", c[0], c[1], st.Kind, st.Ambiguous)
	}
	// Output:
	// 1/2: incomplete (ambiguous: false)
	// 2/2: complete (ambiguous: true)
	// 3/3: additional (ambiguous: false)
}

func ExampleDecodeHistory_error() {
	_, err := doses.DecodeHistory([]byte(`{"doses": [{"date": "2021-03-01", "mp": "EU/1/20/1528"}, {"date": "2021-13-01", "mp": "EU/1/20/1528"}]}`))
	fmt.Println(err)
	// Output:
	// doses[1].date: "2021-13-01" is not a date (YYYY-MM-DD)
}
