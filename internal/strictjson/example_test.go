package strictjson_test

import (
	"errors"
	"fmt"

	"dcc/internal/strictjson"
)

func ExampleParse() {
	o := strictjson.Options{MaxBytes: 1 << 20, MaxDepth: 32}
	v, err := strictjson.Parse([]byte(`{"dn": 2.0, "sd": 1e400}`), o)
	fmt.Println(v, err)

	_, err = strictjson.Parse([]byte("{\"ver\": \"1.3.0\",\n \"ver\": \"1.3.2\"}"), o)
	fmt.Println(err, errors.Is(err, strictjson.ErrDuplicateName))
	// Output:
	// map[dn:2.0 sd:1e400] <nil>
	// line 2, column 2: duplicate key "ver" true
}

func ExampleDecoder() {
	d, _ := strictjson.NewDecoder([]byte(`{"doses": [{"mp": "EU/1/20/1528"}]}`), strictjson.Options{MaxDepth: 4})
	for depth := 0; ; {
		tok, err := d.ReadToken()
		if err != nil {
			fmt.Println(err)
			return
		}
		if tok.Text != "" {
			fmt.Printf("%c %s\n", tok.Kind, tok.Text)
		} else {
			fmt.Printf("%c\n", tok.Kind)
		}
		switch tok.Kind {
		case strictjson.ObjectStart, strictjson.ArrayStart:
			depth++
		case strictjson.ObjectEnd, strictjson.ArrayEnd:
			depth--
		}
		if depth == 0 {
			break
		}
	}
	fmt.Println(d.End())
	// Output:
	// {
	// " doses
	// [
	// {
	// " mp
	// " EU/1/20/1528
	// }
	// ]
	// }
	// <nil>
}
