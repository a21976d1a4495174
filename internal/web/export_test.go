package web

// SafeNext is safeNext, for the black-box tests.
var SafeNext = safeNext
