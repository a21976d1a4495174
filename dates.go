package dcc

import (
	"fmt"
	"time"
)

// parsePartialDate reads YYYY, YYYY-MM or YYYY-MM-DD (Annex V §3.2, dob) and
// returns the first day it denotes.
func parsePartialDate(s string) (time.Time, error) {
	var layout string
	switch len(s) {
	case 4:
		layout = "2006"
	case 7:
		layout = "2006-01"
	case 10:
		layout = time.DateOnly
	default:
		return time.Time{}, fmt.Errorf("%q is not a date", s)
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date", s)
	}
	return t, nil
}

// The four forms of Annex V §4.2 for t/sc.
var sampleLayouts = []string{
	"2006-01-02T15:04:05Z",
	"2006-01-02T15:04:05-07",
	"2006-01-02T15:04:05-0700",
	"2006-01-02T15:04:05-07:00",
}

// parseSampleTime reads t/sc. exact is false for RFC 3339 times with
// fractional seconds, which only older schemas allowed.
func parseSampleTime(s string) (t time.Time, exact bool, err error) {
	for _, l := range sampleLayouts {
		if len(s) != len(l) {
			continue
		}
		if t, err := time.Parse(l, s); err == nil {
			return t, true, nil
		}
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, false, nil
	}
	return time.Time{}, false, fmt.Errorf("%q is not a sample time: use YYYY-MM-DDThh:mm:ss with Z, ±hh, ±hhmm or ±hh:mm (Annex V §4.2)", s)
}
