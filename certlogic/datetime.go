package certlogic

import (
	"fmt"
	"strconv"
	"time"
)

// DateTime is a date-time value: an instant with millisecond precision, the
// result of plusTime and dccDateOfBirth. Date-times compare by identity
// under ===, as JavaScript Dates do; the date-time comparisons (after,
// before, not-after, not-before) compare the instants.
type DateTime struct{ ms int64 }

// Time returns the instant in UTC.
func (d *DateTime) Time() time.Time { return time.UnixMilli(d.ms).UTC() }

// UnixMilli returns the instant in milliseconds since 1970-01-01T00:00:00Z.
func (d *DateTime) UnixMilli() int64 { return d.ms }

// String formats the instant as JavaScript's Date.prototype.toISOString
// does: "2021-06-01T00:00:00.000Z", years outside 0–9999 as ±YYYYYY.
func (d *DateTime) String() string {
	days, msOfDay := floorDiv(d.ms, msPerDay), floorMod(d.ms, msPerDay)
	y, m, dd := civilFromDays(days)
	var b []byte
	switch {
	case y < 0:
		b = append(b, '-')
		b = appendPadded(b, -y, 6)
	case y > 9999:
		b = append(b, '+')
		b = appendPadded(b, y, 6)
	default:
		b = appendPadded(b, y, 4)
	}
	b = append(b, '-')
	b = appendPadded(b, m, 2)
	b = append(b, '-')
	b = appendPadded(b, dd, 2)
	b = append(b, 'T')
	b = appendPadded(b, msOfDay/msPerHour, 2)
	b = append(b, ':')
	b = appendPadded(b, msOfDay/60_000%60, 2)
	b = append(b, ':')
	b = appendPadded(b, msOfDay/1000%60, 2)
	b = append(b, '.')
	b = appendPadded(b, msOfDay%1000, 3)
	return string(append(b, 'Z'))
}

// MarshalJSON gives the string JSON.stringify gives for a Date.
func (d *DateTime) MarshalJSON() ([]byte, error) {
	return strconv.AppendQuote(nil, d.String()), nil
}

func appendPadded(b []byte, n int64, width int) []byte {
	s := strconv.FormatInt(n, 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

const (
	msPerHour = 3_600_000
	msPerDay  = 86_400_000
	// maxInstant bounds a JavaScript Date: ±100 000 000 days around 1970
	// (ECMA-262 TimeClip). The spec defines date-times through JavaScript's
	// Date, and certlogic-js yields an Invalid Date beyond it.
	maxInstant = 8_640_000_000_000_000
)

// Time units of plusTime.
const (
	unitYear = iota
	unitMonth
	unitDay
	unitHour
)

var timeUnitNames = []string{"year", "month", "day", "hour"}

func timeUnit(v any) (int, bool) {
	s, ok := v.(string)
	if !ok {
		return 0, false
	}
	for i, n := range timeUnitNames {
		if s == n {
			return i, true
		}
	}
	return 0, false
}

// parseDateTime reads a date(-time) string as plusTime does (spec
// "Offset date-time"): the partial dates YYYY and YYYY-MM rounded up as
// dccDateOfBirth does, YYYY-MM-DD, and YYYY-MM-DDThh:mm:ss with optional
// fraction (truncated to milliseconds) and offset (Z, ±h, ±hh, ±hmm, ±hhmm,
// ±h:mm, ±hh:mm; none means Z). Like certlogic-js, and so V8, it accepts
// days 29–31 in any month (rolling over into the next: 2021-02-30 is March
// 2) and 24:00:00.000 (the end of the day); other out-of-range fields are
// ErrInvalidDate, and a string in no allowed format is ErrDateFormat.
func parseDateTime(s string) (int64, error) {
	switch {
	case len(s) == 4 && digits(s):
		return endOfYear(s), nil
	case len(s) == 7 && isYearMonth(s):
		return endOfMonth(s)
	case len(s) == 10 && isDate(s):
		return dateMillis(s)
	case len(s) >= 19 && isDate(s[:10]) && s[10] == 'T':
		return dateTimeMillis(s)
	}
	return 0, dateFail(ErrDateFormat, "not an allowed date or date-time format: %q", s)
}

// parseDateOfBirth reads a DCC date of birth (YYYY, YYYY-MM, YYYY-MM-DD) as
// dccDateOfBirth does: the last day consistent with it, at midnight UTC.
func parseDateOfBirth(s string) (int64, error) {
	switch {
	case len(s) == 4 && digits(s):
		return endOfYear(s), nil
	case len(s) == 7 && isYearMonth(s):
		return endOfMonth(s)
	case len(s) == 10 && isDate(s):
		return dateMillis(s)
	}
	return 0, dateFail(ErrDateFormat, "%q is not a DCC date of birth (YYYY, YYYY-MM or YYYY-MM-DD)", s)
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isYearMonth(s string) bool { return digits(s[:4]) && s[4] == '-' && digits(s[5:7]) }

func isDate(s string) bool {
	return digits(s[:4]) && s[4] == '-' && digits(s[5:7]) && s[7] == '-' && digits(s[8:10])
}

// atoi reads a short run of ASCII digits already checked by digits.
func atoi(s string) int64 {
	var n int64
	for i := 0; i < len(s); i++ {
		n = n*10 + int64(s[i]-'0')
	}
	return n
}

func endOfYear(s string) int64 {
	return daysFromCivil(atoi(s), 12, 31) * msPerDay
}

func endOfMonth(s string) (int64, error) {
	y, m := atoi(s[:4]), atoi(s[5:7])
	if m < 1 || m > 12 {
		return 0, dateFail(ErrInvalidDate, "%q is not a valid date: month %d", s, m)
	}
	// The day before the first of the next month.
	y2, m2 := y, m+1
	if m2 == 13 {
		y2, m2 = y+1, 1
	}
	return (daysFromCivil(y2, m2, 1) - 1) * msPerDay, nil
}

func dateMillis(s string) (int64, error) {
	y, m, d := atoi(s[:4]), atoi(s[5:7]), atoi(s[8:10])
	if m < 1 || m > 12 {
		return 0, dateFail(ErrInvalidDate, "%q is not a valid date: month %d", s, m)
	}
	if d < 1 || d > 31 {
		return 0, dateFail(ErrInvalidDate, "%q is not a valid date: day %d", s, d)
	}
	// Day 31 of a 30-day month is the 1st of the next: V8's reading.
	return (daysFromCivil(y, m, 1) + d - 1) * msPerDay, nil
}

func dateTimeMillis(s string) (int64, error) {
	bad := func() (int64, error) {
		return 0, dateFail(ErrDateFormat, "not an allowed date or date-time format: %q", s)
	}
	// s[:11] is "YYYY-MM-DDT".
	if len(s) < 19 || !digits(s[11:13]) || s[13] != ':' || !digits(s[14:16]) || s[16] != ':' || !digits(s[17:19]) {
		return bad()
	}
	h, mi, sec := atoi(s[11:13]), atoi(s[14:16]), atoi(s[17:19])
	rest := s[19:]
	var ms int64
	if len(rest) > 0 && rest[0] == '.' {
		n := 1
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n == 1 {
			return bad()
		}
		// Milliseconds: the first three decimals, padded; the rest is
		// dropped, rounding down.
		frac := rest[1:n]
		for i := 0; i < 3; i++ {
			ms *= 10
			if i < len(frac) {
				ms += int64(frac[i] - '0')
			}
		}
		rest = rest[n:]
	}
	var offset int64 // minutes east of UTC
	switch {
	case rest == "" || rest == "Z":
	case rest[0] == '+' || rest[0] == '-':
		oh, om, ok := parseOffset(rest[1:])
		if !ok {
			return bad()
		}
		if oh > 23 || om > 59 {
			return 0, dateFail(ErrInvalidDate, "%q is not a valid date-time: offset out of range", s)
		}
		offset = oh*60 + om
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return bad()
	}
	if h > 24 || mi > 59 || sec > 59 || (h == 24 && (mi != 0 || sec != 0 || ms != 0)) {
		return 0, dateFail(ErrInvalidDate, "%q is not a valid date-time: time of day out of range", s)
	}
	day, err := dateMillis(s[:10])
	if err != nil {
		return 0, err
	}
	return day + h*msPerHour + mi*60_000 + sec*1000 + ms - offset*60_000, nil
}

// parseOffset reads the hours and minutes of an offset after its sign, as
// certlogic-js's pattern ([+-])(\d{1,2}):?(\d{2})? matches them: "1", "01",
// "100" (1:00), "0100", "1:", "1:00", "01:00".
func parseOffset(s string) (h, m int64, ok bool) {
	if i := indexByte(s, ':'); i >= 0 {
		hs, ms := s[:i], s[i+1:]
		if len(hs) < 1 || len(hs) > 2 || !digits(hs) || (len(ms) != 0 && len(ms) != 2) || !digits(ms) {
			return 0, 0, false
		}
		return atoi(hs), atoi(ms), true
	}
	if !digits(s) {
		return 0, 0, false
	}
	switch len(s) {
	case 1, 2:
		return atoi(s), 0, true
	case 3:
		return atoi(s[:1]), atoi(s[1:]), true
	case 4:
		return atoi(s[:2]), atoi(s[2:]), true
	}
	return 0, 0, false
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// Bounds on plusTime amounts beyond which no result is a valid JavaScript
// Date from a four-digit year; checked first so the arithmetic cannot
// overflow.
var maxAmount = [...]float64{
	unitYear:  600_000,
	unitMonth: 7_200_000,
	unitDay:   200_000_000,
	unitHour:  4_800_000_000,
}

// plusTime offsets an instant as the spec prescribes through JavaScript's
// Date: setUTCFullYear/setUTCMonth keep the day of the month and roll it
// over (2020-02-29 + 1 year = 2021-03-01), setUTCDate/setUTCHours add whole
// days or hours (UTC has no daylight saving time).
func plusTime(ms int64, amount float64, unit int) (int64, error) {
	if amount == 0 {
		return ms, nil
	}
	if amount > maxAmount[unit] || amount < -maxAmount[unit] {
		return 0, dateFail(ErrInvalidDate, "adding %s %s(s) leaves the range of a date-time", jsNumber(amount), timeUnitNames[unit])
	}
	n := int64(amount)
	var r int64
	switch unit {
	case unitHour:
		r = ms + n*msPerHour
	case unitDay:
		r = ms + n*msPerDay
	default:
		days, tod := floorDiv(ms, msPerDay), floorMod(ms, msPerDay)
		y, m, d := civilFromDays(days)
		if unit == unitYear {
			y += n
		} else {
			m0 := m - 1 + n
			y += floorDiv(m0, 12)
			m = floorMod(m0, 12) + 1
		}
		r = (daysFromCivil(y, m, 1)+d-1)*msPerDay + tod
	}
	if r > maxInstant || r < -maxInstant {
		return 0, dateFail(ErrInvalidDate, "adding %s %s(s) leaves the range of a date-time", jsNumber(amount), timeUnitNames[unit])
	}
	return r, nil
}

// daysFromCivil counts days from 1970-01-01 to a proleptic Gregorian date
// (Howard Hinnant's algorithm); d may exceed the month's length.
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := m + 9
	if m > 2 {
		mp = m - 3
	}
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int64) (y, m, d int64) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }

// dateError is a date that cannot be read or computed; the evaluator
// turns it into an *EvalError at the operation.
type dateError struct {
	err error // ErrDateFormat or ErrInvalidDate
	msg string
}

func (e *dateError) Error() string { return e.msg }

func dateFail(sentinel error, format string, a ...any) error {
	return &dateError{err: sentinel, msg: fmt.Sprintf(format, a...)}
}
