package uvci_test

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"dcc/uvci"
)

// The two "ci" examples of Annex V, and a transcription error caught by the
// check character.
func ExampleParse() {
	for _, s := range []string{
		"URN:UVCI:01:NL:187/37512422923",
		"URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD813#B",
		"URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD818#B",
	} {
		u, _, err := uvci.Parse(s, uvci.Strict)
		if errors.Is(err, uvci.ErrCheckCharacter) {
			fmt.Println("mistyped:", err)
			continue
		}
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("country %s, national part %s, check character %t\n", u.Country, u.National, u.Check != 0)
	}
	// Output:
	// country NL, national part 187/37512422923, check character false
	// country AT, national part 10807843F94AEE0EE5093FBC254BD813, check character true
	// mistyped: uvci: check character 'B' does not match, expected '3'
}

// A verifier reading a hand-typed identifier accepts lower case and says so.
func ExampleParse_lenient() {
	u, warnings, err := uvci.Parse("urn:uvci:01:nl:187/37512422923", uvci.Lenient)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(u)
	for _, w := range warnings {
		fmt.Println("warning:", w)
	}
	// Output:
	// URN:UVCI:01:NL:187/37512422923
	// warning: lower-case letters (first at position 1) normalised to upper case: Annex III §3 allows upper case only
}

func ExampleCheckCharacter() {
	c, err := uvci.CheckCharacter("URN:UVCI:01:NL:MY/INPUT/STRING")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%c\n", c)
	// Output:
	// H
}

func ExampleGenerator_New() {
	// Production code passes nil for crypto/rand; a seeded source keeps this
	// example's output fixed.
	g, err := uvci.NewGenerator("ES", "MD", rand.NewChaCha8([32]byte{}))
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := g.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s)
	// Output:
	// URN:UVCI:01:ES:MD/B1S0BS420D3OSDT9195#C
}
