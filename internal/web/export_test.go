package web

// SafeNext is safeNext, for the black-box tests.
var SafeNext = safeNext

// Bi is the templates' function bi.
var Bi = bi
